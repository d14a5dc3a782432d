"""PIN verification benchmark: latency p50/p99 at concurrency 1, 4 and 16, and peak memory.

Run: .venv/bin/python bench/pin_verify.py [--per-thread 8] [--backend sqlite|postgresql|both]

Uses the DEFAULT argon2 profile (RFC 9106 low-memory: t=3, m=64 MiB, p=4) and the real
service path (``PinVault.verify``: row lock, gate, argon2id, counters, audit event, commit).
Each thread verifies the correct PIN of its own account, so threads do not queue on one
account's row lock. Peak memory is the process's maximum RSS (``resource.getrusage``), which
includes the interpreter and SQLAlchemy; ``CPNI_PIN_HASH_CONCURRENCY`` (4) bounds argon2's share
to 4 x 64 MiB. PostgreSQL comes from CPNI_BENCH_PG_ADMIN_URL (a scratch database is created).
"""

from __future__ import annotations

import argparse
import base64
import os
import resource
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from bot.clock import utcnow
from bot.security import DEFAULT_PARAMETERS, PinHasher, parse_pepper_keys
from bot.services.pin_vault import PinVault
from bot.storage import migrate
from bot.storage.accounts import Account
from bot.storage.db import Database

PG_ADMIN = os.environ.get(
    "CPNI_BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PIN = "48152039"


@contextmanager
def scratch(backend: str) -> Iterator[Database]:
    """A migrated scratch database, removed afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            database = Database(f"sqlite:///{Path(folder) / 'bench.db'}", pool_size=20)
            migrate.upgrade(database)
            yield database
            database.dispose()
        return
    name = f"cpni_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    database = Database(PG_ADMIN.rsplit("/", 1)[0] + f"/{name}", pool_size=20)
    try:
        migrate.upgrade(database)
        yield database
    finally:
        database.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(backend: str, per_thread: int) -> None:
    """Print one line per concurrency level for ``backend``."""
    ring = parse_pepper_keys("bench:" + base64.b64encode(os.urandom(32)).decode())
    hasher = PinHasher(ring, parameters=DEFAULT_PARAMETERS, max_concurrency=4, acquire_timeout=None)
    with scratch(backend) as database:
        vault = PinVault(database, hasher, pepper=ring, on_change=lambda _s, _c: None)
        now = utcnow()
        with database.transaction() as session:
            for n in range(16):
                session.add(
                    Account(account_number=f"B-{n}", name="bench", created_at=now, updated_at=now)
                )
        for n in range(16):
            assert vault.enrol(
                f"B-{n}", PIN, actor="bench", surface="cli", at_service_start=True
            ).ok
        for level in (1, 4, 16):
            started = time.perf_counter()
            samples = measure(vault, level, per_thread)
            wall = time.perf_counter() - started
            p50 = statistics.median(samples)
            p99 = statistics.quantiles(samples, n=100, method="inclusive")[98]
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"{backend:10} concurrency {level:2}: n={len(samples):3} "
                f"p50 {p50 * 1000:7.1f} ms  p99 {p99 * 1000:7.1f} ms  "
                f"throughput {len(samples) / wall:5.1f}/s  "
                f"peak RSS {rss:6.0f} MiB"
            )


def measure(vault: PinVault, level: int, per_thread: int) -> list[float]:
    """Latencies (s) of ``level`` threads each verifying ``per_thread`` times."""
    samples: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(level)

    def work(n: int) -> None:
        barrier.wait()
        for _ in range(per_thread):
            started = time.perf_counter()
            vault.verify(f"B-{n}", PIN, actor="bench", surface="cli", method="bench")
            elapsed = time.perf_counter() - started
            with lock:
                samples.append(elapsed)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(level)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples


def main() -> None:
    """Parse arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--per-thread", type=int, default=8)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    for backend in backends:
        run(backend, args.per_thread)


if __name__ == "__main__":
    main()
