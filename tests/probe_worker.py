"""A worker process for the multi-process tests: records each item it handles in probe_log.

Usage: python probe_worker.py DB_URL WORKER_ID LEASE_SECONDS [MARKER_DIR]
An item whose payload has ``"hang": true`` writes MARKER_DIR/hanging and then sleeps, so the test
can SIGKILL the process in the middle of the item (inside its open transaction).
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from bot.storage.db import Database
from bot.worker import ClaimedItem, HandlerRegistry, Worker


def main() -> None:
    url, worker_id, lease = sys.argv[1], sys.argv[2], float(sys.argv[3])
    marker = Path(sys.argv[4]) if len(sys.argv) > 4 else None
    registry = HandlerRegistry()

    @registry.on_inbound("probe")
    def handle(session: Session, item: ClaimedItem) -> None:
        session.execute(
            text("INSERT INTO probe_log (item_id, worker) VALUES (:i, :w)"),
            {"i": item.id, "w": worker_id},
        )
        if item.payload.get("hang") and marker is not None:
            (marker / "hanging").write_text(worker_id)
            time.sleep(600)

    database = Database(url)
    worker = Worker(database, registry, worker_id=worker_id, lease_seconds=lease, batch_size=20)
    stop = threading.Event()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if worker.run_once() == 0:
            with database.transaction() as session:
                left = session.execute(
                    text("SELECT count(*) FROM inbox WHERE state <> 'done'")
                ).scalar_one()
            if left == 0:
                break
            stop.wait(0.05)


if __name__ == "__main__":
    main()
