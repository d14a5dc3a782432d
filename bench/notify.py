"""Notices per second end to end: record_change -> outbox -> worker -> SMTP (aiosmtpd).

Usage: .venv/bin/python bench/notify.py [--count 500] [--threads 1,4] [--database-url URL]

Each notice is a PIN change recorded in its own transaction (as the PIN vault does), then
delivered by workers through the outbox to a real local SMTP server, one SMTP session per
notice. Prints the figures as a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "notify"))
sys.path.insert(0, str(ROOT / "tests"))

from notify_fixtures import SmtpSink, make_container  # noqa: E402

from bot.domain.notifications import AccountChange, ChangeKind  # noqa: E402
from bot.services.notices import record_change  # noqa: E402
from bot.storage import migrate  # noqa: E402
from bot.storage.accounts import Account, EmailAddress  # noqa: E402
from bot.storage.db import Database  # noqa: E402


def _seed(database: Database, count: int, now: datetime, run_id: str) -> None:
    with database.transaction() as session:
        for i in range(count):
            account = Account(
                account_number=f"B-{run_id}-{i}", name="Bench", created_at=now, updated_at=now
            )
            account.emails.append(
                EmailAddress(
                    address=f"b{i}@{run_id}.example.org", associated_since=now - timedelta(days=90)
                )
            )
            session.add(account)


def run(count: int, threads: int, url: str | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        database = Database(url or f"sqlite:///{tmp}/bench.db")
        migrate.upgrade(database)
        now = datetime.now(UTC)
        run_id = uuid.uuid4().hex[:8]  # so runs can share one PostgreSQL database
        _seed(database, count, now, run_id)
        sink = SmtpSink()
        sink.start()
        container = make_container(database, lambda: datetime.now(UTC), smtp=sink)
        start = time.perf_counter()
        for i in range(count):
            change = AccountChange(
                kind=ChangeKind.PIN,
                account_number=f"B-{run_id}-{i}",
                occurred_at=now,
                source="bench",
                event_id=f"b-{run_id}-{i}",
                actor="bench",
            )
            with database.transaction() as session:
                record_change(session, change, policy=container.config.policy, now=now)
        recorded = time.perf_counter() - start
        workers = [container.new_worker() for _ in range(threads)]
        start = time.perf_counter()
        pool = [threading.Thread(target=w.run_until_idle) for w in workers]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        delivered = time.perf_counter() - start
        sink.stop()
        received = len(sink.collector.messages)
        database.dispose()
    if received != count:
        raise SystemExit(f"expected {count} mails, the SMTP server got {received}")
    return {
        "record_per_s": count / recorded,
        "deliver_per_s": count / delivered,
        "end_to_end_per_s": count / (recorded + delivered),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--threads", default="1,4")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    backend = (args.database_url or "sqlite").split(":", 1)[0]
    lines = [
        "# Notice delivery benchmark",
        "",
        f"`bench/notify.py --count {args.count}` on {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.machine()}, backend {backend}, "
        f"{datetime.now(UTC):%Y-%m-%d}. Each notice: one PIN change recorded in its own "
        "transaction, then delivered through the outbox to a local aiosmtpd server, one SMTP "
        "session per notice. Figures are notices per second.",
        "",
        "| worker threads | record (change + notice + outbox) | deliver (outbox -> SMTP) "
        "| end to end |",
        "| --- | --- | --- | --- |",
    ]
    for threads in (int(t) for t in args.threads.split(",")):
        figures = run(args.count, threads, args.database_url)
        lines.append(
            f"| {threads} | {figures['record_per_s']:.0f} | {figures['deliver_per_s']:.0f} "
            f"| {figures['end_to_end_per_s']:.0f} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)


if __name__ == "__main__":
    main()
