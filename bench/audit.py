"""Audit benchmark: append throughput and `audit verify` time over a million events.

Run: .venv/bin/python bench/audit.py [--events 1000000] [--appends 2000] [--backend sqlite]

* Append throughput: ``bot.storage.audit_log.append`` one event per transaction (as a service
  audits one decision) and 100 events per transaction, on a database already holding the
  million events.
* Verify: ``bot.services.audit_tools.verify`` (the `cpni-guard audit verify` code path) over
  the whole chain.

The million chained rows are generated in Python (the same hash function the bot uses) and
bulk-loaded: executemany batches on SQLite, COPY on PostgreSQL. PostgreSQL comes from
CPNI_BENCH_PG_ADMIN_URL (default the build machines' 127.0.0.1:5432, database test); a scratch
database is created and dropped. Figures go to stdout; copy them into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text, update

sys.path.insert(0, str(Path(__file__).parent))
from inbox import scratch

from bot.domain.audit import GENESIS_HASH, AuditAction, AuditEvent, chain_hash_of
from bot.services import audit_tools
from bot.storage.audit_log import append
from bot.storage.db import Database
from bot.storage.records import AuditEventRow, AuditHead

PG_ADMIN = os.environ.get(
    "CPNI_BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
START = datetime(2025, 1, 1, tzinfo=UTC)
BATCH = 20_000


def chained_rows(count: int) -> Iterator[dict[str, object]]:
    """``count`` realistic verification events, chained from the genesis hash."""
    prev = GENESIS_HASH
    for i in range(1, count + 1):
        row: dict[str, object] = {
            "id": i,
            "occurred_at": START + timedelta(seconds=30 * i),
            "actor": f"slack:T1/U{i % 50}",
            "action": "pin_verify",
            "surface": "slack",
            "conversation_key": f"slack:T1/C{i % 20}/{i}",
            "account_number": f"A-{i % 20000}",
            "method": "agent",
            "outcome": "verified" if i % 4 else "rejected",
            "categories": ["call_detail"],
            "details": {"attempts_left": i % 5},
        }
        row_hash = chain_hash_of(prev, **{k: v for k, v in row.items() if k != "id"})  # type: ignore[arg-type]
        row["prev_hash"], row["row_hash"] = prev, row_hash
        prev = row_hash
        yield row


def load(database: Database, count: int) -> float:
    """Bulk-load ``count`` chained rows; return the seconds taken."""
    began = time.perf_counter()
    last_hash, batch = GENESIS_HASH, []
    raw = database.engine.raw_connection() if database.is_postgresql else None
    for row in chained_rows(count):
        batch.append(row)
        last_hash = str(row["row_hash"])
        if len(batch) == BATCH:
            _flush(database, raw, batch)
            batch = []
    if batch:
        _flush(database, raw, batch)
    if raw is not None:
        raw.commit()
        raw.close()
    with database.transaction() as session:
        session.execute(
            update(AuditHead)
            .where(AuditHead.id == 1)
            .values(last_event_id=count, last_hash=last_hash)
        )
        if database.is_postgresql:
            session.execute(text("SELECT setval('audit_events_id_seq', :n)"), {"n": count})
    return time.perf_counter() - began


_COLUMNS = audit_tools.EXPORT_FIELDS  # every column of audit_events, in table order


def _flush(database: Database, raw: object, batch: list[dict[str, object]]) -> None:
    if raw is None:
        with database.transaction() as session:
            session.execute(insert(AuditEventRow.__table__), batch)
        return
    cursor = raw.cursor()  # type: ignore[attr-defined]
    with cursor.copy(f"COPY audit_events ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
        for row in batch:
            copy.write_row(
                [json.dumps(row[c]) if c in ("categories", "details") else row[c] for c in _COLUMNS]
            )


def appends(database: Database, count: int, *, per_transaction: int) -> float:
    """Events per second through ``append`` with ``per_transaction`` events per commit."""
    began = time.perf_counter()
    for start in range(0, count, per_transaction):
        with database.transaction() as session:
            for i in range(start, min(start + per_transaction, count)):
                append(
                    session,
                    AuditEvent(
                        occurred_at=datetime.now(UTC),
                        actor="slack:T1/U1",
                        action=AuditAction.PIN_VERIFY,
                        surface="slack",
                        conversation_key=f"slack:T1/C1/{i}",
                        account_number="A-1",
                        method="agent",
                        outcome="verified",
                    ),
                )
    return count / (time.perf_counter() - began)


def run(backend: str, events: int, append_count: int) -> dict[str, float]:
    with scratch(backend, PG_ADMIN) as database:
        loaded = load(database, events)
        single = appends(database, append_count, per_transaction=1)
        batched = appends(database, append_count * 5, per_transaction=100)
        began = time.perf_counter()
        report = audit_tools.verify(database)
        verify_seconds = time.perf_counter() - began
        assert report.ok, report.break_at
        return {
            "load_s": loaded,
            "append_1_per_s": single,
            "append_100_per_s": batched,
            "verify_s": verify_seconds,
            "verified": report.checked,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument("--backend", default="sqlite,postgresql")
    args = parser.parse_args()
    for backend in args.backend.split(","):
        figures = run(backend, args.events, args.appends)
        print(
            f"{backend}: bulk load {args.events} chained events {figures['load_s']:.1f} s; "
            f"append {figures['append_1_per_s']:.0f}/s (1 per transaction), "
            f"{figures['append_100_per_s']:.0f}/s (100 per transaction); "
            f"audit verify {int(figures['verified'])} events in {figures['verify_s']:.1f} s "
            f"({figures['verified'] / figures['verify_s']:.0f} events/s)",
            flush=True,
        )


if __name__ == "__main__":
    main()
