"""Appending to and reading the hash-chained audit log (R31).

The log is append-only: the application never updates a row. Verification and the retention
purge, the one sanctioned delete, live in :mod:`bot.storage.audit_integrity`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session

from bot.domain.audit import GENESIS_HASH, AuditEvent, chain_hash
from bot.domain.incidents import TRIGGER_ACTIONS
from bot.storage.records import AuditEventRow, AuditHead
from bot.worker import enqueue_inbound

__all__ = [
    "INCIDENT_CHECK_KIND",
    "INCIDENT_CHECK_SOURCE",
    "append",
    "count_range",
    "iter_events",
    "iter_range",
    "to_event",
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
