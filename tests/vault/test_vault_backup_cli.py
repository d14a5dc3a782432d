"""The ``pin backup-set`` and ``pin backup-verify`` commands: stdin only, R16 as exit status 5."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from vault_support import ACCOUNT, add_account, pepper_entry

from bot.cli import cli
from bot.domain.backup_question import question_id
from bot.storage.db import Database

from fakes import FrozenClock

PIN = "48152039"
PET = "What was the name of your first pet?"
ANSWER = "Captain Whiskerton"


@pytest.fixture
def env(
    database: Database, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """CLI settings: the test database, cheapest argon2, a pepper, one backup question."""
    add_account(database, clock)
    policy = tmp_path / "policy.yaml"
    policy.write_text(f"backup_questions:\n  - {PET}\n", encoding="utf-8")
    values = {
        "CPNI_DATABASE_URL": database.url.render_as_string(hide_password=False),
        "CPNI_ARGON2_PROFILE": "cheapest",
        "CPNI_PIN_PEPPER": pepper_entry("k1", 1),
        "CPNI_LOG_FORMAT": "text",
        "CPNI_POLICY_FILE": str(policy),
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)


def _run(args: list[str], stdin: str = "") -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["pin", *args], input=stdin)
    return result.exit_code, result.output


@pytest.mark.usefixtures("env")
def test_backup_set_reads_the_pin_then_the_answer_and_verify_reports_exit_codes() -> None:
    """backup-set needs the current PIN; backup-verify exits 0, 1, or 4 with nothing on file."""
    assert _run(["set", ACCOUNT, "--service-start"], PIN + "\n")[0] == 0
    assert _run(["backup-verify", ACCOUNT], ANSWER + "\n")[0] == 4
    unknown = _run(["backup-set", ACCOUNT, "--question", "q-0000000000"], f"{PIN}\n{ANSWER}\n")
    assert unknown[0] == 4 and question_id(PET) in unknown[1]
    assert _run(["backup-set", ACCOUNT, "--question", "1"], f"90817263\n{ANSWER}\n")[0] == 1
    code, output = _run(
        ["backup-set", ACCOUNT, "--question", question_id(PET)], f"{PIN}\n{ANSWER}\n"
    )
    assert (code, output) == (0, "Backup answer set.\n")
    assert _run(["backup-verify", ACCOUNT], "  captain WHISKERTON\n") == (0, "verified\n")
    assert _run(["backup-verify", ACCOUNT], "Captain Whiskers\n")[0] == 1
    assert _run(["backup-verify", ACCOUNT], "\n")[0] == 1, "an empty answer is refused"
    code, shown = _run(["status", ACCOUNT])
    assert code == 0 and question_id(PET) in shown and ANSWER not in shown


@pytest.mark.usefixtures("env")
def test_a_failed_pin_and_answer_in_one_interaction_exit_with_status_5() -> None:
    """R16 through the CLI: --interaction ties attempts together; another interaction is free."""
    assert _run(["set", ACCOUNT, "--service-start"], PIN + "\n")[0] == 0
    assert _run(["backup-set", ACCOUNT, "--question", "1"], f"{PIN}\n{ANSWER}\n")[0] == 0
    call = ["--interaction", "ivr:call-77"]
    assert _run(["verify", ACCOUNT, *call], "90817263\n")[0] == 1
    code, output = _run(["backup-verify", ACCOUNT, *call], "Rex\n")
    assert code == 5 and "new PIN required" in output
    assert _run(["verify", ACCOUNT, *call], PIN + "\n")[0] == 5
    assert _run(["verify", ACCOUNT, "--interaction", "ivr:call-78"], PIN + "\n")[0] == 0
    assert _run(["verify", ACCOUNT, "--method", "backup_answer"], PIN + "\n")[0] == 2
