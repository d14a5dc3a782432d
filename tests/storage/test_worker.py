"""The inbox/outbox worker: dedupe, exactly-once inbound effects, retries, dead letters."""

from __future__ import annotations

import random
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bot.errors import RetryLaterError
from bot.storage.db import Database
from bot.storage.queues import InboxItem, OutboxItem
from bot.worker import (
    Backoff,
    ClaimedItem,
    HandlerRegistry,
    Worker,
    enqueue_effect,
    enqueue_inbound,
)

from fakes import FrozenClock


def _worker(database: Database, registry: HandlerRegistry, clock: FrozenClock, **kw: Any) -> Worker:
    return Worker(database, registry, clock=clock, rng=random.Random(7), **kw)


def _inbound(database: Database, clock: FrozenClock, external_id: str, **payload: Any) -> bool:
    with database.transaction() as session:
        return enqueue_inbound(
            session,
            source="test",
            external_id=external_id,
            kind="ping",
            payload=payload,
            now=clock(),
        )


def test_a_redelivered_event_is_stored_once(database: Database, clock: FrozenClock) -> None:
    """The same source event id enqueued three times leaves one inbox row (platform retries)."""
    results = [_inbound(database, clock, "Ev1", n=1) for _ in range(3)]
    assert results == [True, False, False]
    with database.transaction() as session:
        assert session.scalar(select(text("count(*)")).select_from(InboxItem)) == 1


def test_inbound_handler_effects_and_done_mark_commit_together(
    database: Database, clock: FrozenClock
) -> None:
    """A handler's database writes and the item's done mark commit together; the body is erased."""
    registry = HandlerRegistry()
    seen: list[int] = []

    @registry.on_inbound("test")
    def handle(session: Session, item: ClaimedItem) -> None:
        seen.append(item.payload["n"])
        enqueue_effect(
            session, key=f"reply-{item.external_id}", kind="reply", payload={}, now=clock()
        )

    registry.on_effect("reply")(lambda item: {"ok": True})
    _inbound(database, clock, "Ev1", n=41)
    assert _worker(database, registry, clock).run_until_idle() == 2
    with database.transaction() as session:
        item = session.scalars(select(InboxItem)).one()
        effect = session.scalars(select(OutboxItem)).one()
    assert seen == [41]
    assert (item.state, item.payload, item.attempts) == ("done", None, 1)
    assert (effect.state, effect.result) == ("done", {"ok": True})


def test_a_failing_handler_rolls_back_and_retries_with_backoff(
    database: Database, clock: FrozenClock
) -> None:
    """A handler that raises leaves no writes behind and the item waits out its backoff."""
    registry = HandlerRegistry()
    calls: list[int] = []

    @registry.on_inbound("test")
    def handle(session: Session, item: ClaimedItem) -> None:
        calls.append(item.attempts)
        enqueue_effect(session, key="never", kind="reply", payload={}, now=clock())
        if item.attempts < 2:
            raise RuntimeError("transient")

    worker = _worker(database, registry, clock, backoff=Backoff(base_seconds=10, max_seconds=60))
    _inbound(database, clock, "Ev1")
    worker.run_once()
    with database.transaction() as session:
        item = session.scalars(select(InboxItem)).one()
        assert session.scalars(select(OutboxItem)).all() == []
    assert item.state == "pending"
    assert item.last_error == "RuntimeError"
    assert 5 <= (item.available_at - clock()).total_seconds() <= 10
    assert worker.run_once() == 0, "nothing is ready before the backoff ends"
    clock.advance(seconds=11)
    worker.run_until_idle()
    assert calls == [1, 2]


def test_an_effect_honours_retry_after_then_is_not_repeated(
    database: Database, clock: FrozenClock
) -> None:
    """A 429 waits exactly Retry-After; once delivered, the effect never runs again."""
    registry = HandlerRegistry()
    deliveries: list[str] = []

    @registry.on_effect("post")
    def post(item: ClaimedItem) -> dict[str, Any]:
        if len(deliveries) == 0 and item.attempts == 1:
            deliveries.append("429")
            raise RetryLaterError("rate limited", retry_after=30)
        deliveries.append("ok")
        return {"ts": "1.0"}

    worker = _worker(database, registry, clock)
    with database.transaction() as session:
        assert enqueue_effect(session, key="note-1", kind="post", payload={}, now=clock())
        assert not enqueue_effect(session, key="note-1", kind="post", payload={}, now=clock())
    worker.run_until_idle()
    clock.advance(seconds=29)
    assert worker.run_until_idle() == 0
    clock.advance(seconds=1)
    worker.run_until_idle()
    clock.advance(hours=1)
    worker.run_until_idle()
    assert deliveries == ["429", "ok"]


def test_an_effect_is_dead_lettered_after_max_attempts(
    database: Database, clock: FrozenClock
) -> None:
    """After the configured number of attempts an effect stops retrying and is marked dead."""
    registry = HandlerRegistry()
    registry.on_effect("post")(lambda item: (_ for _ in ()).throw(RetryLaterError("down")))
    worker = _worker(database, registry, clock, backoff=Backoff(max_attempts=3, max_seconds=1))
    with database.transaction() as session:
        enqueue_effect(session, key="k", kind="post", payload={}, now=clock())
    for _ in range(5):
        worker.run_until_idle()
        clock.advance(seconds=2)
    with database.transaction() as session:
        effect = session.scalars(select(OutboxItem)).one()
    assert (effect.state, effect.attempts) == ("dead", 3)
    assert effect.last_error is not None and "down" in effect.last_error


def test_an_expired_lease_is_reclaimed_and_the_late_worker_cannot_finish(
    database: Database, clock: FrozenClock
) -> None:
    """A stalled worker's expired lease is taken over and its late result is dropped."""
    registry = HandlerRegistry()
    runs: list[str] = []
    registry.on_inbound("test")(lambda session, item: runs.append(item.external_id))
    stalled = _worker(database, registry, clock, worker_id="stalled", lease_seconds=5)
    _inbound(database, clock, "Ev1")
    claimed = stalled._claim(InboxItem)
    assert [r.external_id for r in claimed] == ["Ev1"]
    clock.advance(seconds=6)
    rescuer = _worker(database, registry, clock, worker_id="rescuer", lease_seconds=5)
    rescuer.run_until_idle()
    stalled._process_inbound(claimed[0])
    with database.transaction() as session:
        item = session.scalars(select(InboxItem)).one()
    assert runs == ["Ev1", "Ev1"], "the stalled handler ran but its transaction was rolled back"
    assert (item.state, item.attempts) == ("done", 2)


@pytest.mark.parametrize("attempts", [1, 2, 5, 9])
def test_backoff_grows_and_stays_within_its_cap(attempts: int) -> None:
    """Backoff delay lies in [ceiling/2, ceiling] with ceiling = min(max, base * 2^(n-1))."""
    backoff = Backoff(base_seconds=2, max_seconds=60)
    ceiling = min(60, 2 * 2 ** (attempts - 1))
    delays = [backoff.delay(attempts, retry_after=None, rng=random.Random(s)) for s in range(50)]
    assert all(ceiling / 2 <= d <= ceiling for d in delays)
    assert backoff.delay(attempts, retry_after=7.5, rng=random.Random(0)) == 7.5


def test_periodic_jobs_run_on_their_interval_and_a_failing_one_spares_the_queues(
    database: Database, clock: FrozenClock
) -> None:
    """A job runs once per interval; a crashing job does not stop the queues."""
    registry = HandlerRegistry()
    runs: list[str] = []
    registry.every("tick", seconds=3600)(lambda session, now: runs.append("tick") or 1)
    registry.every("boom", seconds=0)(lambda session, now: 1 // 0)
    registry.on_inbound("test")(lambda session, item: runs.append(item.external_id))
    _inbound(database, clock, "Ev1")
    worker = _worker(database, registry, clock)
    assert worker.run_once() == 2
    worker.run_once()
    assert runs == ["tick", "Ev1"]
