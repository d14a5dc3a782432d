"""Accounts per second synced from the fake Sonar server (10,000 accounts by default).

Run: .venv/bin/python bench/sonar_sync.py [--accounts N] [--page-size N]
Writes nothing; paste the figures into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fake_sonar import FakeSonar, seed_accounts

from bot.config import load_config
from bot.services.sonar_sync import NoticeRouting, sync_accounts
from bot.storage import migrate
from bot.storage.db import Database
from handlers.sonar.client import SonarClient, TokenBucket
from handlers.sonar.gateway import SonarGateway


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--database", default=None, help="database URL (default: temp SQLite)")
    args = parser.parse_args()
    now = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    later = now + timedelta(hours=1)
    earlier = now - timedelta(hours=1)  # Sonar wrote the accounts before the first run
    with tempfile.TemporaryDirectory() as tmp, FakeSonar(clock=lambda: earlier) as sonar:
        url = args.database or f"sqlite:///{tmp}/bench.db"
        database = Database(url)
        migrate.upgrade(database)
        list(seed_accounts(sonar.data, args.accounts))
        # Unlimited bucket: this measures cpni-guard, not Sonar's 400/min limit.
        client = SonarClient(sonar.url, sonar.token, bucket=TokenBucket(10**9, burst=10**9))
        gateway = SonarGateway(client, page_size=args.page_size)
        routing = NoticeRouting(policy=load_config({}, env_file=None).policy, channels=frozenset())
        for label, at in (("first (full)", now), ("incremental, nothing changed", later)):
            started = time.perf_counter()
            report = sync_accounts(
                database, gateway, routing=routing, now=at, page_size=args.page_size
            )
            seconds = time.perf_counter() - started
            done = report.created + report.updated + report.unchanged
            rate = args.accounts / seconds
            print(
                f"{label}: {done} accounts reconciled, {args.accounts} considered, in "
                f"{seconds:.1f} s = {rate:.0f} accounts/s "
                f"({client.requests} requests so far)"
            )
        print(
            f"at Sonar's 400 requests/min the full run needs >= "
            f"{args.accounts / args.page_size / 400 * 60:.0f} s of request budget"
        )
        database.dispose()


if __name__ == "__main__":
    main()
