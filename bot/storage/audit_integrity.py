"""Verifying the audit chain, and the one sanctioned delete: the retention purge (R31, R32).

The purge removes a contiguous run from the *oldest* end of the chain, records an
:class:`~bot.storage.compliance.AuditAnchor` holding the hash of the last row it removed, and
appends an ``audit_purged`` event repeating that hash. :func:`verify_chain` then starts from the
newest anchor instead of the genesis hash and checks that the anchor is attested by its purge
event, so the chain stays verifiable end to end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, func, select, text
from sqlalchemy.orm import Session

from bot.domain.audit import GENESIS_HASH, AuditAction, AuditEvent, chain_hash_of
from bot.storage.audit_log import _HEAD_ID, append, iter_range
from bot.storage.compliance import AuditAnchor
from bot.storage.records import AuditEventRow, AuditHead

__all__ = [
    "ChainBreak",
    "PurgedPrefix",
    "first_kept_id",
    "latest_anchor",
    "purge_prefix",
    "verify_chain",
]


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
