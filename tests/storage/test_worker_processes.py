"""Several worker processes on one database: exactly-once processing and crash recovery."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.clock import utcnow
from bot.storage.db import Database
from bot.worker import enqueue_inbound

PROBE = Path(__file__).parent.parent / "probe_worker.py"
pytestmark = pytest.mark.slow


def _spawn(
    url: str, worker_id: str, lease: float, marker: Path | None = None
) -> subprocess.Popen[bytes]:
    args = [sys.executable, str(PROBE), url, worker_id, str(lease)]
    if marker is not None:
        args.append(str(marker))
    return subprocess.Popen(args, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})


def _prepare(database: Database, items: list[dict[str, object]]) -> None:
    with database.transaction() as session:
        session.execute(text("CREATE TABLE IF NOT EXISTS probe_log (item_id INTEGER, worker TEXT)"))
        session.execute(text("DELETE FROM probe_log"))
        for n, payload in enumerate(items):
            enqueue_inbound(
                session,
                source="probe",
                external_id=f"ev-{n}",
                kind="probe",
                payload=payload,
                now=utcnow(),
            )


def _log(database: Database) -> list[tuple[int, str]]:
    with database.transaction() as session:
        return [
            (int(r[0]), str(r[1]))
            for r in session.execute(text("SELECT item_id, worker FROM probe_log"))
        ]


def test_two_worker_processes_drain_1000_items_each_exactly_once(database: Database) -> None:
    """Two processes share 1,000 inbox items: every item handled once, none twice, none lost."""
    _prepare(database, [{"n": n} for n in range(1000)])
    url = database.url.render_as_string(hide_password=False)
    procs = [_spawn(url, f"p{i}", lease=30) for i in range(2)]
    assert [p.wait(timeout=180) for p in procs] == [0, 0]
    log = _log(database)
    ids = [item for item, _ in log]
    assert len(ids) == 1000
    assert len(set(ids)) == 1000
    if database.is_postgresql:
        assert {w for _, w in log} == {"p0", "p1"}, "both processes took a share on PostgreSQL"
    with database.transaction() as session:
        states = session.execute(text("SELECT state, count(*) FROM inbox GROUP BY state")).all()
    assert [tuple(s) for s in states] == [("done", 1000)]


def test_a_worker_killed_mid_item_loses_nothing_and_the_item_is_done_once(
    database: Database, tmp_path: Path
) -> None:
    """SIGKILL inside a handler: the item is reclaimed after its lease and handled exactly once."""
    _prepare(database, [{"hang": True}, {"n": 1}, {"n": 2}])
    url = database.url.render_as_string(hide_password=False)
    victim = _spawn(url, "victim", lease=2, marker=tmp_path)
    deadline = time.monotonic() + 60
    while not (tmp_path / "hanging").exists():
        assert time.monotonic() < deadline, "the victim never reached the hanging item"
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    (tmp_path / "hanging").unlink()
    rescuer = _spawn(url, "rescuer", lease=2)  # no marker dir: the hang item completes
    assert rescuer.wait(timeout=120) == 0
    log = _log(database)
    assert sorted(item for item, _ in log) == [1, 2, 3], "each item recorded once"
    assert all(worker == "rescuer" for item, worker in log if item == 1)
    with database.transaction() as session:
        row = session.execute(text("SELECT state, attempts FROM inbox WHERE id = 1")).one()
    assert tuple(row) == ("done", 2)
