"""Putting items on the durable queues, and the types handlers see (used by every surface).

* :func:`enqueue_inbound` is the commit half of "store before ack": an inbound event is added
  unless its source event id is already there, so redeliveries are dropped.
* :func:`enqueue_effect` adds an outbound effect in the caller's transaction, keyed so that the
  same effect is never queued twice.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.storage.queues import InboxItem, OutboxItem

__all__ = [
    "Backoff",
    "ClaimedItem",
    "HandlerRegistry",
    "InboxHandler",
    "OutboxHandler",
    "PeriodicJob",
    "Queue",
    "enqueue_effect",
    "enqueue_inbound",
    "queue_counts",
]

Queue = type[InboxItem] | type[OutboxItem]


@dataclass(frozen=True, slots=True)
class ClaimedItem:
    """A queue row as a handler sees it."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    source: str = ""
    external_id: str = ""
    idempotency_key: str = ""


InboxHandler = Callable[[Session, ClaimedItem], None]
OutboxHandler = Callable[[ClaimedItem], dict[str, Any] | None]
#: A periodic job: runs in its own transaction, returns how many things it changed.
PeriodicJob = Callable[[Session, datetime], int]


@dataclass
class HandlerRegistry:
    """Which function handles which inbox source/kind and which outbox kind."""

    inbox: dict[tuple[str, str], InboxHandler] = field(default_factory=dict)
    outbox: dict[str, OutboxHandler] = field(default_factory=dict)
    periodic: dict[str, tuple[float, PeriodicJob]] = field(default_factory=dict)

    def every(self, name: str, seconds: float) -> Callable[[PeriodicJob], PeriodicJob]:
        """Register a job each worker runs every ``seconds`` (jobs must tolerate overlap)."""

        def register(job: PeriodicJob) -> PeriodicJob:
            self.periodic[name] = (seconds, job)
            return job

        return register

    def on_inbound(self, source: str, kind: str = "*") -> Callable[[InboxHandler], InboxHandler]:
        """Register an inbox handler for ``source`` events of ``kind`` (``*``: any kind)."""

        def register(handler: InboxHandler) -> InboxHandler:
            self.inbox[(source, kind)] = handler
            return handler

        return register

    def on_effect(self, kind: str) -> Callable[[OutboxHandler], OutboxHandler]:
        """Register the function that performs outbox effects of ``kind``."""

        def register(handler: OutboxHandler) -> OutboxHandler:
            self.outbox[kind] = handler
            return handler

        return register

    def inbox_handler(self, source: str, kind: str) -> InboxHandler | None:
        """The handler for an inbound event, the exact kind first."""
        return self.inbox.get((source, kind)) or self.inbox.get((source, "*"))


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff with full jitter, capped; ``Retry-After`` wins when given."""

    base_seconds: float = 2.0
    max_seconds: float = 900.0
    max_attempts: int = 10

    def delay(self, attempts: int, *, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait before attempt ``attempts + 1``."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_seconds)
        ceiling = min(self.max_seconds, self.base_seconds * 2 ** max(attempts - 1, 0))
        return rng.uniform(ceiling / 2, ceiling)


def _insert(database_dialect: str, table: Queue) -> Any:
    dialect = postgresql if database_dialect == "postgresql" else sqlite
    return dialect.insert(table)


def enqueue_inbound(
    session: Session,
    *,
    source: str,
    external_id: str,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
) -> bool:
    """Commit-side half of "store before ack": add an inbound event unless already there.

    Returns:
        True if the event is new, False for a redelivery (dropped).
    """
    stmt = (
        _insert(session.get_bind().dialect.name, InboxItem)
        .values(
            source=source,
            external_id=external_id,
            kind=kind,
            payload=payload,
            state="pending",
            attempts=0,
            available_at=now,
            received_at=now,
        )
        .on_conflict_do_nothing(index_elements=["source", "external_id"])
        .returning(InboxItem.id)
    )
    return session.execute(stmt).scalar() is not None


def enqueue_effect(
    session: Session,
    *,
    key: str,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
    delay_seconds: float = 0.0,
) -> bool:
    """Add an outbound effect in the caller's transaction unless its key is already queued.

    Returns:
        True if the effect is new, False if an effect with this idempotency key exists.
    """
    stmt = (
        _insert(session.get_bind().dialect.name, OutboxItem)
        .values(
            idempotency_key=key,
            kind=kind,
            payload=payload,
            state="pending",
            attempts=0,
            available_at=now + timedelta(seconds=delay_seconds),
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(OutboxItem.id)
    )
    return session.execute(stmt).scalar() is not None


def queue_counts(session: Session, table: Queue) -> dict[str, int]:
    """How many items the queue holds in each state."""
    rows = session.execute(select(table.state, func.count()).group_by(table.state)).all()
    counts = dict.fromkeys(("pending", "processing", "done", "dead"), 0)
    counts.update({state: int(n) for state, n in rows})
    return counts
