"""The attempt limit holds exactly under concurrent guesses from many processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from vault_support import ACCOUNT, VaultFactory, add_account

from bot.domain.audit import AuditAction
from bot.domain.verification import LockedOut, Verified
from bot.storage.db import Database
from bot.storage.records import AuditEventRow

from fakes import FrozenClock

GUESSER = Path(__file__).with_name("vault_guesser.py")
PIN = "48152039"
pytestmark = pytest.mark.slow


def test_400_concurrent_wrong_guesses_from_8_processes_evaluate_exactly_the_limit(
    database: Database, clock: FrozenClock, make_vault: VaultFactory, tmp_path: Path
) -> None:
    """8 processes x 50 wrong guesses: exactly 5 are hash-checked, the rest refused unhashed."""
    add_account(database, clock)
    assert make_vault().enrol(ACCOUNT, PIN, actor="a", surface="cli", at_service_start=True).ok
    url = database.url.render_as_string(hide_password=False)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(GUESSER),
                url,
                ACCOUNT,
                "90817263",
                "50",
                "5",
                str(tmp_path / f"p{n}.json"),
            ],
            env=env,
        )
        for n in range(8)
    ]
    assert [p.wait(timeout=300) for p in procs] == [0] * 8
    reports = [json.loads((tmp_path / f"p{n}.json").read_text()) for n in range(8)]
    outcomes: Counter[str] = Counter()
    for report in reports:
        outcomes.update(report["outcomes"])
    assert sum(r["hash_checks"] for r in reports) == 5
    assert outcomes == Counter({"rejected": 4, "locked_out": 396})
    with database.transaction() as session:
        rows = session.scalars(
            select(AuditEventRow).where(AuditEventRow.action == AuditAction.PIN_VERIFY)
        ).all()
        evaluated = [r for r in rows if r.details.get("evaluated")]
    assert (len(rows), len(evaluated)) == (400, 5)
    # The right PIN is refused until the lockout ends, then accepted.
    real = make_vault(clock=lambda: clock.now)
    until = max(r.occurred_at for r in evaluated) + timedelta(minutes=30)
    clock.now = until - timedelta(seconds=1)
    assert isinstance(real.verify(ACCOUNT, PIN, actor="a", surface="cli", method="cli"), LockedOut)
    clock.now = until + timedelta(seconds=1)
    assert real.verify(ACCOUNT, PIN, actor="a", surface="cli", method="cli") == Verified()
