"""Appending to and reading the hash-chained audit log."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.audit import GENESIS_HASH, AuditEvent, chain_hash
from bot.storage.records import AuditEventRow, AuditHead

__all__ = ["ChainBreak", "append", "iter_events", "to_event", "verify_chain"]

_HEAD_ID = 1


def append(session: Session, event: AuditEvent) -> AuditEventRow:
    """Append ``event`` to the chain inside the caller's transaction.

    The head row is locked first (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite transactions
    are already exclusive), so concurrent appends queue and the chain never forks.
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
    return row


def to_event(row: AuditEventRow) -> AuditEvent:
    """The domain event a stored row claims to be (for re-hashing)."""
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


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first place the chain does not hold."""

    event_id: int
    reason: str


def verify_chain(session: Session) -> tuple[int, ChainBreak | None]:
    """Walk the chain; return how many events were checked and the first break, if any."""
    expected_prev = GENESIS_HASH
    count = 0
    for row in iter_events(session):
        if row.prev_hash != expected_prev:
            return count, ChainBreak(
                row.id,
                "previous-hash link does not match (row missing, moved or altered before it)",
            )
        if chain_hash(row.prev_hash, to_event(row)) != row.row_hash:
            return count, ChainBreak(row.id, "row content does not match its hash (row altered)")
        expected_prev = row.row_hash
        count += 1
    head = session.get(AuditHead, _HEAD_ID)
    if head is not None and head.last_hash != expected_prev:
        return count, ChainBreak(
            head.last_event_id, "newest events are missing (head does not match)"
        )
    return count, None
