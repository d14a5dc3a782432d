"""Appending to, reading, verifying and purging the hash-chained audit log (R31).

The log is append-only: the application never updates a row, and the retention purge
(:func:`purge_prefix`) is the one sanctioned delete. It removes a contiguous run from the
*oldest* end of the chain, records an :class:`~bot.storage.compliance.AuditAnchor` holding the
hash of the last row it removed, and appends an ``audit_purged`` event repeating that hash.
:func:`verify_chain` then starts from the newest anchor instead of the genesis hash and checks
that the anchor is attested by its purge event, so the chain stays verifiable end to end.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, delete, func, select, text
from sqlalchemy.orm import Session

from bot.domain.audit import GENESIS_HASH, AuditAction, AuditEvent, chain_hash, chain_hash_of
from bot.domain.incidents import TRIGGER_ACTIONS
from bot.storage.compliance import AuditAnchor
from bot.storage.records import AuditEventRow, AuditHead
from bot.worker import enqueue_inbound

__all__ = [
    "INCIDENT_CHECK_KIND",
    "INCIDENT_CHECK_SOURCE",
    "ChainBreak",
    "PurgedPrefix",
    "append",
    "count_range",
    "first_kept_id",
    "iter_events",
    "iter_range",
    "latest_anchor",
    "purge_prefix",
    "to_event",
    "verify_chain",
]

_HEAD_ID = 1
_BATCH = 5000
#: The inbox item an incident-relevant event leaves for the incident rules (bot.services).
INCIDENT_CHECK_SOURCE = "audit"
INCIDENT_CHECK_KIND = "incident_check"

_COLUMNS = (
    AuditEventRow.id,
    AuditEventRow.occurred_at,
    AuditEventRow.actor,
    AuditEventRow.action,
    AuditEventRow.surface,
    AuditEventRow.conversation_key,
    AuditEventRow.account_number,
    AuditEventRow.method,
    AuditEventRow.outcome,
    AuditEventRow.categories,
    AuditEventRow.details,
    AuditEventRow.prev_hash,
    AuditEventRow.row_hash,
)


def append(session: Session, event: AuditEvent) -> AuditEventRow:
    """Append ``event`` to the chain inside the caller's transaction.

    The head row is locked first (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite transactions
    are already exclusive), so concurrent appends queue and the chain never forks. An event the
    incident rules look at (``pin_lockout``, ``possible_pretexting``, ``disclosed_while_locked``,
    ``cpni_misdirected``) also leaves an inbox item in the same transaction, so the rules run
    exactly once per event, durably, in a worker.
    """
    head = session.execute(
        select(AuditHead).where(AuditHead.id == _HEAD_ID).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=_HEAD_ID, last_event_id=0, last_hash=GENESIS_HASH)
        session.add(head)
    row_hash = chain_hash(head.last_hash, event)
    row = AuditEventRow(
        occurred_at=event.occurred_at,
        actor=event.actor,
        action=str(event.action),
        surface=event.surface,
        conversation_key=event.conversation_key,
        account_number=event.account_number,
        method=event.method,
        outcome=event.outcome,
        categories=list(event.categories),
        details=dict(event.details),
        prev_hash=head.last_hash,
        row_hash=row_hash,
    )
    session.add(row)
    session.flush()
    head.last_event_id = row.id
    head.last_hash = row_hash
    if str(event.action) in TRIGGER_ACTIONS:
        enqueue_inbound(
            session,
            source=INCIDENT_CHECK_SOURCE,
            external_id=str(row.id),
            kind=INCIDENT_CHECK_KIND,
            payload={"event_id": row.id},
            now=event.occurred_at,
        )
    return row


def to_event(row: AuditEventRow | Row[Any]) -> AuditEvent:
    """The domain event a stored row (ORM object or :func:`iter_range` row) claims to be."""
    return AuditEvent(
        occurred_at=row.occurred_at,
        actor=row.actor,
        action=row.action,
        surface=row.surface,
        conversation_key=row.conversation_key,
        account_number=row.account_number,
        method=row.method,
        outcome=row.outcome,
        categories=tuple(row.categories),
        details=row.details,
    )


def iter_events(session: Session, *, batch: int = 1000) -> Iterator[AuditEventRow]:
    """Every event in chain order, read in batches so memory stays flat."""
    last_id = 0
    while True:
        rows = session.scalars(
            select(AuditEventRow)
            .where(AuditEventRow.id > last_id)
            .order_by(AuditEventRow.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id
        session.expunge_all()


def _filtered(
    stmt: Select[Any], start: datetime | None, end: datetime | None, account: str | None
) -> Select[Any]:
    if start is not None:
        stmt = stmt.where(AuditEventRow.occurred_at >= start)
    if end is not None:
        stmt = stmt.where(AuditEventRow.occurred_at < end)
    if account is not None:
        stmt = stmt.where(AuditEventRow.account_number == account)
    return stmt


def iter_range(
    session: Session,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    account: str | None = None,
    through_id: int | None = None,
    batch: int = _BATCH,
) -> Iterator[Row[Any]]:
    """Plain rows (no ORM objects) in chain order, ``start <= occurred_at < end``, keyset-paged.

    Rows have the attributes of :class:`AuditEventRow`; memory stays flat for any range.
    ``through_id`` stops at that event id.
    """
    last_id = 0
    while True:
        stmt = _filtered(select(*_COLUMNS).where(AuditEventRow.id > last_id), start, end, account)
        if through_id is not None:
            stmt = stmt.where(AuditEventRow.id <= through_id)
        rows = session.execute(stmt.order_by(AuditEventRow.id).limit(batch)).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def count_range(
    session: Session,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    account: str | None = None,
) -> int:
    """How many events :func:`iter_range` would yield."""
    stmt = _filtered(select(func.count(AuditEventRow.id)), start, end, account)
    return int(session.execute(stmt).scalar_one())


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first place the chain does not hold."""

    event_id: int
    reason: str


def latest_anchor(session: Session) -> AuditAnchor | None:
    """The newest purge anchor, if the log was ever purged."""
    return session.scalars(
        select(AuditAnchor).order_by(AuditAnchor.last_event_id.desc()).limit(1)
    ).first()


def _row_hash(row: Row[Any]) -> str:
    return chain_hash_of(
        row.prev_hash,
        occurred_at=row.occurred_at,
        actor=row.actor,
        action=row.action,
        surface=row.surface,
        conversation_key=row.conversation_key,
        account_number=row.account_number,
        method=row.method,
        outcome=row.outcome,
        categories=row.categories,
        details=row.details,
    )


def _is_attestation(row: Row[Any], anchor: AuditAnchor) -> bool:
    details: dict[str, Any] = row.details
    return bool(
        row.action == AuditAction.AUDIT_PURGED
        and details.get("anchor_link") == anchor.last_hash
        and details.get("last_event_id") == anchor.last_event_id
    )


def verify_chain(session: Session) -> tuple[int, ChainBreak | None]:
    """Walk the chain; return how many events were checked and the first break, if any.

    The head is read first and the walk stops at its event, so events appended while a long
    walk runs are neither checked nor mistaken for a break. After a purge the walk starts at
    the newest anchor: the first remaining row must link to the anchor's hash, and an
    ``audit_purged`` event in the chain must repeat it.
    """
    head = session.execute(
        select(AuditHead.last_event_id, AuditHead.last_hash).where(AuditHead.id == _HEAD_ID)
    ).one_or_none()
    anchor = latest_anchor(session)
    expected_prev = anchor.last_hash if anchor else GENESIS_HASH
    attested = anchor is None
    count = 0
    for row in iter_range(session, through_id=head.last_event_id if head else None):
        if row.prev_hash != expected_prev:
            return count, ChainBreak(
                row.id,
                "previous-hash link does not match (row missing, moved or altered before it)",
            )
        if _row_hash(row) != row.row_hash:
            return count, ChainBreak(row.id, "row content does not match its hash (row altered)")
        if anchor is not None and not attested:
            attested = _is_attestation(row, anchor)
        expected_prev = row.row_hash
        count += 1
    if head is not None and head.last_hash != expected_prev:
        return count, ChainBreak(
            head.last_event_id, "newest events are missing (head does not match)"
        )
    if anchor is not None and not attested:
        return count, ChainBreak(
            anchor.last_event_id, "purge anchor is not attested by an audit_purged event"
        )
    return count, None


def first_kept_id(session: Session, *, before: datetime) -> int | None:
    """The oldest event a purge ``before`` keeps: the first at/after ``before`` (None: all go)."""
    return session.scalar(
        select(func.min(AuditEventRow.id)).where(AuditEventRow.occurred_at >= before)
    )


@dataclass(frozen=True, slots=True)
class PurgedPrefix:
    """What :func:`purge_prefix` removed (``count == 0``: nothing was old enough)."""

    count: int
    first_event_id: int | None
    last_event_id: int | None
    anchor_hash: str | None


def purge_prefix(session: Session, *, before: datetime, now: datetime, actor: str) -> PurgedPrefix:
    """Delete the oldest events up to the first one at or after ``before``; anchor and audit it.

    Only a contiguous prefix of the chain is removed (an old row after a younger one stays), so
    the remaining chain still verifies from the anchor. The retention policy is the caller's
    (bot.services.audit_tools); this function does the mechanics, in the caller's transaction.
    """
    head = session.execute(
        select(AuditHead).where(AuditHead.id == _HEAD_ID).with_for_update()
    ).scalar_one()
    first_young = first_kept_id(session, before=before)
    limit_id = first_young if first_young is not None else head.last_event_id + 1
    bounds = session.execute(
        select(func.min(AuditEventRow.id), func.max(AuditEventRow.id), func.count()).where(
            AuditEventRow.id < limit_id
        )
    ).one()
    first_id, last_id, count = bounds
    if not count:
        return PurgedPrefix(0, None, None, None)
    last_hash = session.scalar(select(AuditEventRow.row_hash).where(AuditEventRow.id == last_id))
    assert last_hash is not None
    session.add(
        AuditAnchor(
            created_at=now,
            actor=actor,
            purged_before=before,
            first_event_id=first_id,
            last_event_id=last_id,
            last_hash=last_hash,
            purged_count=count,
        )
    )
    _delete_through(session, last_id)
    append(
        session,
        AuditEvent(
            occurred_at=now,
            actor=actor,
            action=AuditAction.AUDIT_PURGED,
            details={
                "before": before.isoformat(),
                "purged_count": count,
                "first_event_id": first_id,
                "last_event_id": last_id,
                "anchor_link": last_hash,
            },
        ),
    )
    return PurgedPrefix(count, first_id, last_id, last_hash)


def _delete_through(session: Session, last_id: int) -> None:
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:  # the append-only trigger lets this transaction, and only it, delete
        session.execute(text("SET LOCAL cpni.audit_purge = 'on'"))
    session.execute(
        delete(AuditEventRow).where(AuditEventRow.id <= last_id),
        execution_options={"synchronize_session": False},
    )
    if postgres:
        session.execute(text("SET LOCAL cpni.audit_purge = 'off'"))
