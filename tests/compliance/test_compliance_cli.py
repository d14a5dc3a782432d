"""The `cpni-guard audit`, `report` and `incidents` commands, end to end on both backends."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from compliance_helpers import add_events

from bot.cli import cli
from bot.domain.audit import AuditAction, AuditEvent
from bot.domain.incidents import BreachRule
from bot.services.incidents import AlertTargets, check_event
from bot.storage.audit_log import append
from bot.storage.db import Database

from fakes import FrozenClock


@pytest.fixture
def runner(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    """A CLI runner pointed at the test database, away from any .env file."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CPNI_DATABASE_URL", database_url)
    monkeypatch.setenv("CPNI_LOG_FORMAT", "text")
    return CliRunner()


def test_verify_export_and_refused_purge(
    runner: CliRunner, database: Database, clock: FrozenClock, tmp_path: Path
) -> None:
    """verify passes, export writes JSON Lines for the days asked, and a young purge exits 1."""
    add_events(database, 5, start=clock() - timedelta(days=2), step=timedelta(days=1))
    verified = runner.invoke(cli, ["audit", "verify"])
    assert verified.exit_code == 0 and "5 events verified" in verified.output
    day = (clock() - timedelta(days=1)).date().isoformat()
    out = tmp_path / "export.jsonl"
    exported = runner.invoke(
        cli, ["audit", "export", "--from", day, "--to", day, "--out", str(out)]
    )
    assert exported.exit_code == 0, exported.output
    assert [json.loads(line)["occurred_at"][:10] for line in out.read_text().splitlines()] == [day]
    young = runner.invoke(cli, ["audit", "purge", "--before", clock().date().isoformat(), "--yes"])
    assert young.exit_code == 1 and "refusing" in young.output


def test_bad_export_range_is_a_clear_error(runner: CliRunner) -> None:
    """--to before --from is refused before anything is read or written."""
    result = runner.invoke(cli, ["audit", "export", "--from", "2026-03-02", "--to", "2026-03-01"])
    assert result.exit_code == 2 and "--to is before --from" in result.output


def test_report_certification_writes_markdown_and_pdf(
    runner: CliRunner, database: Database, clock: FrozenClock, tmp_path: Path
) -> None:
    """`report certification --year` writes the Markdown and the PDF into --out (R34)."""
    add_events(database, 3, start=clock())
    result = runner.invoke(
        cli, ["report", "certification", "--year", "2026", "--out", str(tmp_path / "r")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r" / "certification-2026.md").exists()
    assert (tmp_path / "r" / "certification-2026.pdf").read_bytes().startswith(b"%PDF")


def test_incidents_list_show_update(
    runner: CliRunner, database: Database, clock: FrozenClock
) -> None:
    """An incident is listed, shown, moved to under_review, and an illegal move is refused."""
    with database.transaction() as session:
        row = append(
            session,
            AuditEvent(
                occurred_at=clock(),
                actor="slack:T1/U1",
                action=AuditAction.POSSIBLE_PRETEXTING,
                account_number="A-1",
            ),
        )
        incident = check_event(
            session, row.id, now=clock(), rule=BreachRule.RULE_2007, alerts=AlertTargets()
        )
    assert incident is not None
    listed = runner.invoke(cli, ["incidents", "list"])
    assert (
        listed.exit_code == 0
        and f"#{incident.id}" in listed.output
        and "possible_pretexting" in listed.output
    )
    moved = runner.invoke(
        cli,
        [
            "incidents",
            "update",
            str(incident.id),
            "--state",
            "under_review",
            "--note",
            "calling the customer",
        ],
    )
    assert moved.exit_code == 0, moved.output
    assert (
        "calling the customer" in runner.invoke(cli, ["incidents", "show", str(incident.id)]).output
    )
    refused = runner.invoke(cli, ["incidents", "update", str(incident.id), "--state", "closed"])
    assert refused.exit_code == 1 and "note" in refused.output
    assert runner.invoke(cli, ["incidents", "show", "999"]).exit_code == 1
