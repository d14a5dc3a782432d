"""Migrations build the models' schema on both backends; serve refuses an unmigrated PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from dbsupport import scratch_postgres

from bot.cli import cli
from bot.storage import migrate
from bot.storage.db import Database


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, unmigrated database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with scratch_postgres("cpni_empty") as url:
        yield url


def test_migrations_apply_to_an_empty_database_and_match_the_models(empty_url: str) -> None:
    """Upgrade from nothing reaches head and Alembic's autogenerate finds no difference."""
    database = Database(empty_url)
    assert migrate.current_revision(database) is None
    migrate.upgrade(database)
    assert migrate.is_up_to_date(database)
    assert migrate.model_differences(database) == []
    database.dispose()


def test_db_upgrade_command_reports_the_revisions(
    empty_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`cpni-guard db upgrade` migrates and says from where to where; `db status` then passes."""
    monkeypatch.setenv("CPNI_DATABASE_URL", empty_url)
    runner = CliRunner()
    status = runner.invoke(cli, ["db", "status"])
    assert status.exit_code == 1 and "unmigrated" in status.output
    result = runner.invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert f"empty -> {migrate.head_revision()}" in result.output
    assert runner.invoke(cli, ["db", "status"]).exit_code == 0


def test_serve_refuses_an_unmigrated_postgresql_and_names_the_command(
    monkeypatch: pytest.MonkeyPatch, empty_url: str
) -> None:
    """On PostgreSQL, serve exits with a message naming `cpni-guard db upgrade`; SQLite migrates."""
    monkeypatch.setenv("CPNI_DATABASE_URL", empty_url)
    monkeypatch.setenv("CPNI_PIN_PEPPER", "k1:" + "QUJD" * 11)  # a pepper is required on PG
    monkeypatch.setattr("bot.commands.run.uvicorn.run", lambda *a, **k: None)
    result = CliRunner().invoke(cli, ["serve", "--workers", "0"])
    database = Database(empty_url)
    if empty_url.startswith("sqlite"):
        assert result.exit_code == 0, result.output
        assert migrate.is_up_to_date(database)
    else:
        assert result.exit_code == 1
        assert "cpni-guard db upgrade" in result.output
        assert migrate.current_revision(database) is None
    database.dispose()


def test_serve_with_socket_mode_needs_an_app_token_and_passes_the_flag_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """--slack-socket-mode without SLACK_APP_TOKEN exits 2; with one, adapters see the option."""
    monkeypatch.setenv("CPNI_DATABASE_URL", f"sqlite:///{tmp_path / 'sm.db'}")
    seen: dict[str, object] = {}
    monkeypatch.setattr("bot.commands.run.uvicorn.run", lambda app, **k: seen.update(app=app))
    refused = CliRunner().invoke(cli, ["serve", "--workers", "0", "--slack-socket-mode"])
    assert refused.exit_code == 2 and "SLACK_APP_TOKEN" in refused.output
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-test")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "signing-secret")
    ok = CliRunner().invoke(cli, ["serve", "--workers", "0", "--slack-socket-mode"])
    assert ok.exit_code == 0, ok.output
    assert seen["app"].state.container.options["slack_socket_mode"] is True  # type: ignore[attr-defined]
