"""Inbox and outbox processing with leases, retries, backoff and a dead-letter state.

* An inbound event is committed to the inbox (deduplicated on its source's event id) before the
  platform is acknowledged. A worker claims it with a lease and runs its handler *in the same
  transaction* that marks it done, so its database effects happen exactly once: a worker that
  dies mid-item leaves nothing behind, and the item is claimed again when the lease runs out.
* An outbound effect is committed to the outbox with the state change that caused it, under an
  idempotency key. A worker claims it, performs it outside any transaction, then records the
  result. Delivery is at least once; handlers pass the idempotency key on (or check the remote
  side) so a retry never posts twice.

Claims use ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so many workers in many processes share one
queue; on SQLite every transaction is exclusive already.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update

from bot import metrics
from bot.clock import Clock, utcnow
from bot.errors import RetryLaterError
from bot.queueing import (
    Backoff,
    ClaimedItem,
    HandlerRegistry,
    InboxHandler,
    OutboxHandler,
    PeriodicJob,
    Queue,
    enqueue_effect,
    enqueue_inbound,
    queue_counts,
)
from bot.storage.db import Database
from bot.storage.queues import InboxItem, OutboxItem

__all__ = [
    "Backoff",
    "ClaimedItem",
    "HandlerRegistry",
    "InboxHandler",
    "OutboxHandler",
    "PeriodicJob",
    "Worker",
    "enqueue_effect",
    "enqueue_inbound",
    "queue_counts",
]

log = logging.getLogger(__name__)


class Worker:
    """Drains the inbox and the outbox.

    Args:
        database: where the queues live.
        registry: the handlers.
        worker_id: a unique name for this worker (lease owner); defaults to a random one.
        lease_seconds: how long a claimed item stays ours before others may reclaim it.
    """

    def __init__(
        self,
        database: Database,
        registry: HandlerRegistry,
        *,
        worker_id: str | None = None,
        lease_seconds: float = 60.0,
        batch_size: int = 10,
        backoff: Backoff | None = None,
        clock: Clock = utcnow,
        rng: random.Random | None = None,
    ) -> None:
        self.db = database
        self.registry = registry
        self.worker_id = worker_id or f"w-{random.getrandbits(48):012x}"
        self.lease = timedelta(seconds=lease_seconds)
        self.batch_size = batch_size
        self.backoff = backoff or Backoff()
        self.clock = clock
        self.rng = rng or random.Random()  # noqa: S311 (jitter, not a secret)
        self.wakeup = threading.Event()
        self._last_periodic: dict[str, float] = {}

    # -- claiming -------------------------------------------------------------------------
    def _claim(self, table: Queue) -> list[Any]:
        now = self.clock()
        ready = or_(
            and_(table.state == "pending", table.available_at <= now),
            and_(table.state == "processing", table.lease_expires_at < now),
        )
        candidates = select(table.id).where(ready).order_by(table.available_at, table.id)
        candidates = candidates.limit(self.batch_size)
        if self.db.is_postgresql:
            candidates = candidates.with_for_update(skip_locked=True)
        with self.db.transaction() as session:
            rows = (
                session.execute(
                    update(table)
                    .where(table.id.in_(candidates.scalar_subquery()))
                    .values(
                        state="processing",
                        lease_owner=self.worker_id,
                        lease_expires_at=now + self.lease,
                        attempts=table.attempts + 1,
                    )
                    .returning(table)
                    .execution_options(synchronize_session=False)
                )
                .scalars()
                .all()
            )
            session.expunge_all()
        return sorted(rows, key=lambda r: r.id)

    def _mine(self, table: Queue, item_id: int) -> Any:
        return and_(
            table.id == item_id, table.lease_owner == self.worker_id, table.state == "processing"
        )

    # -- failure bookkeeping ----------------------------------------------------------------
    def _fail(self, table: Queue, row: Any, exc: BaseException) -> None:
        retry_after = exc.retry_after if isinstance(exc, RetryLaterError) else None
        reason = (
            f"{type(exc).__name__}: {exc}"[:500]
            if isinstance(exc, RetryLaterError)
            else type(exc).__name__
        )
        now = self.clock()
        dead = row.attempts >= self.backoff.max_attempts
        values: dict[str, Any] = {
            "last_error": reason,
            "lease_owner": None,
            "lease_expires_at": None,
        }
        if dead:
            values["state"] = "dead"
        else:
            delay = self.backoff.delay(row.attempts, retry_after=retry_after, rng=self.rng)
            values.update(state="pending", available_at=now + timedelta(seconds=delay))
        with self.db.transaction() as session:
            session.execute(update(table).where(self._mine(table, row.id)).values(**values))
        metrics.QUEUE_ERRORS.labels(queue=table.__tablename__, dead=str(dead).lower()).inc()
        log.warning(
            "queue item failed",
            extra={
                "queue": table.__tablename__,
                "item_id": row.id,
                "kind": row.kind,
                "attempts": row.attempts,
                "dead": dead,
                "error": type(exc).__name__,
            },
        )

    # -- processing -------------------------------------------------------------------------
    def _process_inbound(self, row: InboxItem) -> None:
        handler = self.registry.inbox_handler(row.source, row.kind)
        item = ClaimedItem(
            id=row.id,
            kind=row.kind,
            payload=row.payload or {},
            attempts=row.attempts,
            source=row.source,
            external_id=row.external_id,
        )
        try:
            if handler is None:
                raise LookupError(f"no handler for inbound {row.source}/{row.kind}")
            with self.db.transaction() as session:
                handler(session, item)
                now = self.clock()
                done = session.execute(
                    update(InboxItem)
                    .where(self._mine(InboxItem, row.id))
                    .values(
                        state="done",
                        payload=None,
                        processed_at=now,
                        lease_owner=None,
                        lease_expires_at=None,
                        last_error=None,
                    )
                )
                if not done.rowcount:  # type: ignore[attr-defined]
                    raise _LeaseLostError
        except _LeaseLostError:
            log.warning("lease lost; another worker owns the item", extra={"item_id": row.id})
            return
        except Exception as exc:  # any handler failure is retried, then dead-lettered
            self._fail(InboxItem, row, exc)
            return
        metrics.PROCESSING_LATENCY.labels(queue="inbox").observe(
            (now - row.received_at).total_seconds()
        )

    def _process_effect(self, row: OutboxItem) -> None:
        handler = self.registry.outbox.get(row.kind)
        item = ClaimedItem(
            id=row.id,
            kind=row.kind,
            payload=row.payload,
            attempts=row.attempts,
            idempotency_key=row.idempotency_key,
        )
        try:
            if handler is None:
                raise LookupError(f"no handler for effect {row.kind}")
            result = handler(item)
        except Exception as exc:  # any delivery failure is retried, then dead-lettered
            self._fail(OutboxItem, row, exc)
            return
        now = self.clock()
        with self.db.transaction() as session:
            session.execute(
                update(OutboxItem)
                .where(self._mine(OutboxItem, row.id))
                .values(
                    state="done",
                    result=result,
                    done_at=now,
                    lease_owner=None,
                    lease_expires_at=None,
                    last_error=None,
                )
            )
        metrics.PROCESSING_LATENCY.labels(queue="outbox").observe(
            (now - row.created_at).total_seconds()
        )

    def _run_periodic(self) -> int:
        changed = 0
        for name, (interval, job) in self.registry.periodic.items():
            last = self._last_periodic.get(name)
            if last is not None and time.monotonic() - last < interval:
                continue
            self._last_periodic[name] = time.monotonic()
            try:
                with self.db.transaction() as session:
                    changed += job(session, self.clock())
            except Exception as exc:  # a failing job must not stop the queues
                metrics.QUEUE_ERRORS.labels(queue=f"periodic:{name}", dead="false").inc()
                log.warning("periodic job failed", extra={"job": name, "error": type(exc).__name__})
        return changed

    def run_once(self) -> int:
        """Run due periodic jobs, then claim and process one batch from each queue.

        Returns:
            How many items were handled and things the periodic jobs changed.
        """
        changed = self._run_periodic()
        inbound = self._claim(InboxItem)
        for row in inbound:
            self._process_inbound(row)
        effects = self._claim(OutboxItem)
        for row in effects:
            self._process_effect(row)
        return changed + len(inbound) + len(effects)

    def run_until_idle(self, *, max_rounds: int = 1000) -> int:
        """Process until both queues have nothing ready (tests, CLI one-shots)."""
        total = 0
        for _ in range(max_rounds):
            handled = self.run_once()
            total += handled
            if not handled:
                break
        return total

    def run_forever(self, stop: threading.Event, *, poll_seconds: float = 0.5) -> None:
        """Process until ``stop`` is set, sleeping ``poll_seconds`` (or until woken) when idle."""
        log.info("worker started", extra={"worker_id": self.worker_id})
        while not stop.is_set():
            try:
                handled = self.run_once()
            except Exception:  # database unreachable etc.: keep the worker alive, back off
                log.exception("worker round failed; retrying")
                handled = 0
                time.sleep(min(poll_seconds * 4, 5.0))
            if not handled:
                self.wakeup.wait(poll_seconds)
                self.wakeup.clear()
        log.info("worker stopped", extra={"worker_id": self.worker_id})


class _LeaseLostError(Exception):
    """Our lease was taken over; the transaction is rolled back and the other worker wins."""
