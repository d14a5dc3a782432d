"""The ``cpni-guard pin`` commands: PINs from stdin only, outcomes as exit statuses."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from vault_support import ACCOUNT, add_account, pepper_entry

from bot.cli import cli
from bot.config import load_config
from bot.errors import ConfigurationError
from bot.services._vault_config import LOCAL_KEY_ID
from bot.services.pin_vault import build_vault
from bot.storage.db import Database

from fakes import FrozenClock

PIN = "48152039"


@pytest.fixture
def env(database: Database, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Settings for the CLI: the test database, cheapest argon2, a pepper; one account."""
    add_account(database, clock)
    values = {
        "CPNI_DATABASE_URL": database.url.render_as_string(hide_password=False),
        "CPNI_ARGON2_PROFILE": "cheapest",
        "CPNI_PIN_PEPPER": pepper_entry("k1", 1),
        "CPNI_LOG_FORMAT": "text",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def _run(args: list[str], stdin: str = "") -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["pin", *args], input=stdin)
    return result.exit_code, result.output


def test_pin_set_verify_and_status_report_through_exit_codes(env: dict[str, str]) -> None:
    """set reads stdin; verify exits 0 verified, 1 rejected, 3 locked out, 4 unknown/no PIN."""
    assert _run(["verify", ACCOUNT], PIN + "\n")[0] == 4
    assert _run(["verify", "NOPE-9"], PIN + "\n")[0] == 4
    assert _run(["set", ACCOUNT, "--service-start"], PIN + "\n")[0] == 0
    assert _run(["verify", ACCOUNT], PIN + "\n") == (0, "verified\n")
    codes = [_run(["verify", ACCOUNT], "90817263\n")[0] for _ in range(5)]
    assert codes == [1, 1, 1, 1, 3]
    assert _run(["verify", ACCOUNT], PIN + "\n")[0] == 3, "the right PIN is refused while locked"
    code, shown = _run(["status", ACCOUNT])
    assert code == 0
    assert "locked_out" in shown
    assert "argon2" not in shown and PIN not in shown
    assert _run(["unlock", ACCOUNT, "--by", "sup:kim", "--reason", "caller verified"])[0] == 0
    assert _run(["verify", ACCOUNT], PIN + "\n")[0] == 0


def test_a_refused_pin_lists_every_reason_and_sets_nothing(env: dict[str, str]) -> None:
    """pin set with a PIN from the phone number exits 1 and names each reason (R14)."""
    code, output = _run(["set", ACCOUNT], "5550187\n")
    assert code == 1
    assert "telephone_number" in output
    assert _run(["verify", ACCOUNT], "5550187\n")[0] == 4


def test_pin_reset_needs_a_code_or_an_in_person_check(env: dict[str, str]) -> None:
    """reset refuses to run without exactly one proof; in-person with a supervisor works (R13)."""
    _run(["set", ACCOUNT], PIN + "\n")
    assert _run(["reset", ACCOUNT, "--reason", "forgot"], "52917364\n")[0] == 2
    assert _run(["reset", ACCOUNT, "--reason", "x", "--in-person-id"], "52917364\n")[0] == 2
    bad = _run(["reset", ACCOUNT, "--reason", "forgot", "--otp", "000000"], "52917364\n")
    assert bad[0] == 1
    ok = ["reset", ACCOUNT, "--reason", "visit", "--in-person-id", "--supervisor", "sup:kim"]
    assert _run(ok, "52917364\n")[0] == 0
    assert _run(["verify", ACCOUNT], "52917364\n")[0] == 0
    code, output = _run(["reset-code", ACCOUNT])
    assert (code, "sms" in output) == (0, True)


def test_pin_change_reads_the_current_then_the_new_pin(env: dict[str, str]) -> None:
    """change takes two stdin lines; a wrong current PIN is refused with its attempt count."""
    _run(["set", ACCOUNT], PIN + "\n")
    assert _run(["change", ACCOUNT], "90817263\n52917364\n")[0] == 1
    assert _run(["change", ACCOUNT], f"{PIN}\n52917364\n")[0] == 0
    assert _run(["verify", ACCOUNT], "52917364\n")[0] == 0


def test_build_vault_creates_a_private_pepper_file_for_embedded_sqlite(tmp_path: Path) -> None:
    """Without CPNI_PIN_PEPPER on SQLite a 0600 pepper file with id local1 is made and reused."""
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    config = load_config(
        {"CPNI_DATABASE_URL": url, "CPNI_ARGON2_PROFILE": "cheapest"}, env_file=None
    )
    database = Database(url)
    build_vault(config, database)
    path = tmp_path / "db.sqlite.pepper"
    content = path.read_text()
    assert content.startswith(f"{LOCAL_KEY_ID}:")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    build_vault(config, database)
    assert path.read_text() == content, "the file is reused, not replaced"


def test_build_vault_on_postgresql_needs_the_pepper() -> None:
    """On PostgreSQL an unset pepper is a configuration error naming CPNI_PIN_PEPPER."""
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    config = load_config({"CPNI_DATABASE_URL": url}, env_file=None)
    with pytest.raises(ConfigurationError, match="CPNI_PIN_PEPPER"):
        build_vault(config, Database(url))


def test_config_reports_a_bad_pepper_without_quoting_it() -> None:
    """A too-short pepper secret is listed as a problem; the secret is not echoed."""
    secret = "c2hvcnQtc2VjcmV0"
    with pytest.raises(ConfigurationError) as caught:
        load_config({"CPNI_PIN_PEPPER": f"k1:{secret}"}, env_file=None)
    assert "CPNI_PIN_PEPPER" in str(caught.value)
    assert secret not in str(caught.value)


def test_a_biographical_backup_question_is_a_configuration_error(tmp_path: Path) -> None:
    """A backup question asking for the mother's maiden name stops start-up (R15)."""
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "backup_questions:\n  - What was the name of your first pet?\n"
        "  - What is your mother's maiden name?\n"
    )
    with pytest.raises(ConfigurationError, match=r"backup_questions\[2\]"):
        load_config({"CPNI_POLICY_FILE": str(policy)}, env_file=None)
