"""``audit``, ``report`` and ``incidents`` commands for the compliance officer."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

import click

from bot.clock import utcnow
from bot.commands._common import load_or_exit, open_database, progress, require_migrated
from bot.commands._incidents import default_actor, incidents_group
from bot.services import audit_tools
from bot.services.certification import build_report
from bot.services.certification_render import write_report
from bot.storage.db import Database

__all__ = ["audit_group", "incidents_group", "report_group"]

_DATE = click.DateTime(formats=["%Y-%m-%d"])


def _utc_day(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=UTC)


def _database() -> tuple[Database, Any]:
    config = load_or_exit()
    database = open_database(config)
    require_migrated(database, auto_migrate_sqlite=True)
    return database, config


@click.group("audit")
def audit_group() -> None:
    """The tamper-evident audit log: verify, export, purge (R31)."""


@audit_group.command("verify")
def audit_verify() -> None:
    """Walk the hash chain; report the first broken or missing link (exit 1 if any)."""
    database, _ = _database()
    report = audit_tools.verify(database)
    since = (
        f" (after the purge through event {report.purged_through})" if report.purged_through else ""
    )
    if report.break_at is None:
        click.echo(f"audit chain OK: {report.checked} events verified{since}")
        return
    click.echo(
        f"audit chain BROKEN at event {report.break_at.event_id}: {report.break_at.reason} "
        f"({report.checked} events verified before it{since})",
        err=True,
    )
    sys.exit(1)


@audit_group.command("export")
@click.option("--from", "start", type=_DATE, help="First day (UTC), inclusive.")
@click.option("--to", "end", type=_DATE, help="Last day (UTC), inclusive.")
@click.option("--account", help="Only events about this account number.")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="jsonl", show_default=True
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default stdout)."
)
@click.option("--actor", default=default_actor, show_default="cli:$USER", help="Who exports.")
def audit_export(
    *,
    start: datetime | None,
    end: datetime | None,
    account: str | None,
    fmt: str,
    out: Path | None,
    actor: str,
) -> None:
    """Stream audit events as CSV or JSON Lines (no secret or message text is ever in them)."""
    if start and end and end < start:
        raise click.BadParameter("--to is before --from", param_hint="--to")
    database, _ = _database()
    end_exclusive = _utc_day(end + timedelta(days=1)) if end else None

    def bar(rows: Iterable[Any], total: int) -> Iterator[Any]:
        return progress(rows, length=total, label="exporting")

    handle: TextIO = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
    try:
        count = audit_tools.export_events(
            database,
            handle,
            fmt="csv" if fmt == "csv" else "jsonl",
            actor=actor,
            now=utcnow(),
            start=_utc_day(start),
            end=end_exclusive,
            account=account,
            progress=bar,
        )
    finally:
        if out:
            handle.close()
    click.echo(f"exported {count} event(s)" + (f" to {out}" if out else ""), err=True)


@audit_group.command("purge")
@click.option("--before", type=_DATE, required=True, help="Purge events before this day (UTC).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--actor", default=default_actor, show_default="cli:$USER", help="Who purges.")
def audit_purge(before: datetime, yes: bool, actor: str) -> None:
    """Delete audit events older than --before, never younger than the retention minimum.

    The minimum is CPNI_AUDIT_MIN_RETENTION_DAYS (default 730, R31-R32). The purge records an
    anchor so the rest of the chain still verifies, and is itself an audit event.
    """
    database, config = _database()
    if not yes:
        click.confirm(f"Permanently delete audit events before {before.date()}?", abort=True)
    result = audit_tools.purge(
        database,
        before=before.replace(tzinfo=UTC),
        now=utcnow(),
        actor=actor,
        min_retention_days=config.settings.audit_min_retention_days,
    )
    if result.refused:
        click.echo(f"cpni-guard: {result.refused}", err=True)
        sys.exit(1)
    if not result.purged:
        click.echo(f"nothing to purge before {before.date()}")
        return
    click.echo(
        f"purged {result.purged} event(s) ({result.first_event_id}..{result.last_event_id}); "
        "the purge is recorded in the audit log"
    )


@click.group("report")
def report_group() -> None:
    """Compliance reports."""


@report_group.command("certification")
@click.option("--year", type=click.IntRange(2000, 2100), required=True, help="Calendar year.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
    show_default=True,
    help="Directory for the Markdown, PDF and chart files.",
)
def report_certification(year: int, out: Path) -> None:
    """Write the annual CPNI certification evidence for YEAR (due 1 March next year, R34)."""
    database, _ = _database()
    with audit_tools.read_session(database) as session:
        report = build_report(session, year=year, now=utcnow())
    files = write_report(report, out)
    click.echo(f"wrote {files.markdown} and {files.pdf}")
    if report.chain_break is not None:
        click.echo("warning: the audit chain is broken; see the report", err=True)
        sys.exit(1)
