"""`cpni-guard accounts event` and `cpni-guard notices list|pending|show|resend|letters`."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from notify_fixtures import seed_account

from bot.cli import cli
from bot.storage.db import Database


@pytest.fixture
def runner(database: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    """A CLI runner on the test database, with SMTP configured (never contacted here)."""
    now = datetime.now(UTC)  # the CLI reads the real clock
    seed_account(database, "A-100", now=now, emails=(("pat@example.com", 400),))
    seed_account(database, "A-200", now=now, postal=(("12 Oak Lane", "62701", 400),))
    env = {
        "CPNI_DATABASE_URL": database.url.render_as_string(hide_password=False),
        "CPNI_SMTP_HOST": "127.0.0.1",
        "CPNI_SMTP_SENDER": "notices@telco.example",
        "CPNI_NOTICE_REPORT_CONTACT": "1-800-555-0199",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)  # no stray .env file
    return CliRunner()


def _run(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_an_account_event_queues_a_notice_once_per_event_id(runner: CliRunner) -> None:
    """`accounts event` records the change; the same --event-id again records nothing new."""
    first = _run(runner, "accounts", "event", "pin", "A-100", "--event-id", "ops-1")
    assert "queued (email)" in first
    again = _run(runner, "accounts", "event", "pin", "A-100", "--event-id", "ops-1")
    assert "already recorded" in again
    listing = _run(runner, "notices", "list")
    assert listing.count("A-100") == 1


def test_a_new_value_is_refused_for_a_pin_change(runner: CliRunner) -> None:
    """--new-value only goes with address, email and number changes."""
    result = runner.invoke(cli, ["accounts", "event", "pin", "A-100", "--new-value", "1234"])
    assert result.exit_code == 2 and "does not go with pin" in result.output


def test_pending_shows_letters_and_letters_exports_them(runner: CliRunner) -> None:
    """With no email or SMS of record the notice is pending; `letters` writes the CSV (R22)."""
    assert "pending_staff" in _run(runner, "accounts", "event", "password", "A-200")
    pending = _run(runner, "notices", "pending")
    assert "A-200" in pending and "no_contact_of_record" in pending
    exported = runner.invoke(cli, ["notices", "letters", "--mark-sent"], catch_exceptions=False)
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert [(r["account_number"], r["address_line1"], r["change_kind"]) for r in rows] == [
        ("A-200", "12 Oak Lane", "password")
    ]
    assert "1 letter(s) exported, marked sent" in exported.stderr
    assert _run(runner, "notices", "pending").strip() == "nothing pending"


def test_show_masks_the_destination_and_resend_queues_a_new_delivery(runner: CliRunner) -> None:
    """`show` prints the notice with a masked address; `resend` of a queued notice adds nothing."""
    _run(runner, "accounts", "event", "backup_answer", "A-100", "--event-id", "ops-2")
    shown = _run(runner, "notices", "show", "1")
    assert "email p***@example.com" in shown and "pat@example.com" not in shown
    assert "still queued" in _run(runner, "notices", "resend", "1")


def test_show_and_resend_of_an_unknown_notice_fail(runner: CliRunner) -> None:
    """An unknown notice id is an error with exit status 1."""
    for command in ("show", "resend"):
        result = runner.invoke(cli, ["notices", command, "999"])
        assert result.exit_code == 1 and "no notice 999" in result.output
