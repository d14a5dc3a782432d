"""Inbox benchmark: enqueue throughput and enqueue-to-processed latency, SQLite and PostgreSQL.

Run: .venv/bin/python bench/inbox.py [--events 2000] [--rate 200] [--seconds 5]

* Throughput: events committed to the inbox one transaction each (as a webhook does before it
  acknowledges), from one thread and from 4 threads.
* Latency: events arrive at a fixed rate while one in-process worker (woken on enqueue, as in
  ``cpni-guard serve``) processes them with a handler that does one small write; latency is
  ``processed_at - received_at`` from the rows themselves.

PostgreSQL is taken from CPNI_BENCH_PG_ADMIN_URL (default the build machines' 127.0.0.1:5432,
database test); a scratch database is created and dropped.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from bot.clock import utcnow
from bot.storage import migrate
from bot.storage.db import Database
from bot.storage.queues import InboxItem
from bot.worker import ClaimedItem, HandlerRegistry, Worker, enqueue_inbound

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextmanager
def scratch(backend: str, pg_admin: str) -> Iterator[Database]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
            migrate.upgrade(db)
            yield db
            db.dispose()
        return
    name = f"cpni_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_admin, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    db = Database(pg_admin.rsplit("/", 1)[0] + f"/{name}")
    try:
        migrate.upgrade(db)
        yield db
    finally:
        db.dispose()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def payload(n: int) -> dict[str, object]:
    return {
        "event": {
            "type": "message",
            "channel": "C0123",
            "ts": f"{n}.000100",
            "text": "what number called me at 3am on the 14th?" * 2,
        }
    }


def enqueue_many(db: Database, start: int, count: int) -> None:
    for n in range(start, start + count):
        with db.transaction() as s:
            enqueue_inbound(
                s,
                source="bench",
                external_id=f"Ev{n}",
                kind="message",
                payload=payload(n),
                now=utcnow(),
            )


def throughput(db: Database, events: int, threads: int) -> float:
    per = events // threads
    offset = int(time.time() * 1000) * 10  # unique ids across runs in the same database
    pool = [
        threading.Thread(target=enqueue_many, args=(db, offset + i * per, per))
        for i in range(threads)
    ]
    t0 = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return per * threads / (time.perf_counter() - t0)


def latency(db: Database, rate: float, seconds: float) -> tuple[float, float, int]:
    with db.transaction() as s:
        s.execute(text("DELETE FROM inbox"))
    registry = HandlerRegistry()

    @registry.on_inbound("bench")
    def handle(session: Session, item: ClaimedItem) -> None:
        session.execute(select(InboxItem.id).where(InboxItem.id == item.id)).scalar()

    worker = Worker(db, registry, batch_size=50)
    stop = threading.Event()
    runner = threading.Thread(
        target=worker.run_forever, args=(stop,), kwargs={"poll_seconds": 0.05}
    )
    runner.start()
    total = int(rate * seconds)
    t0 = time.perf_counter()
    for n in range(total):
        delay = t0 + n / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        with db.transaction() as s:
            enqueue_inbound(
                s,
                source="bench",
                external_id=f"L{n}",
                kind="message",
                payload=payload(n),
                now=utcnow(),
            )
        worker.wakeup.set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with db.transaction() as s:
            left = s.scalar(text("SELECT count(*) FROM inbox WHERE state <> 'done'"))
        if not left:
            break
        time.sleep(0.05)
    stop.set()
    worker.wakeup.set()
    runner.join()
    with db.transaction() as s:
        rows = s.execute(select(InboxItem.received_at, InboxItem.processed_at)).all()
    lat = sorted((p - r).total_seconds() * 1000 for r, p in rows if p is not None)
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
    return statistics.median(lat), p99, len(lat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--pg-admin-url", default=PG_ADMIN)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    print(
        f"{'backend':<11} {'enqueue 1 thr':>14} {'enqueue 4 thr':>14} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'n':>6}   (latency at {args.rate:.0f} events/s)"
    )
    for backend in backends:
        with scratch(backend, args.pg_admin_url) as db:
            one = throughput(db, args.events, 1)
            four = throughput(db, args.events, 4)
            p50, p99, n = latency(db, args.rate, args.seconds)
        print(f"{backend:<11} {one:>10.0f} ev/s {four:>10.0f} ev/s {p50:>8.1f} {p99:>8.1f} {n:>6}")


if __name__ == "__main__":
    main()
