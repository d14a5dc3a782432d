"""``accounts`` commands: the account directory."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bot.clock import utcnow
from bot.commands._common import load_or_exit, open_database, progress, require_migrated
from bot.services.account_import import import_accounts

__all__ = ["accounts_group"]


@click.group("accounts")
def accounts_group() -> None:
    """The account directory (accounts, contacts of record)."""


@accounts_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Import the good rows even if some are bad.")
@click.option(
    "--region",
    default="US",
    show_default=True,
    help="Region for telephone numbers written without a country code.",
)
def accounts_import(file: Path, skip_invalid: bool, region: str) -> None:
    """Import accounts from FILE (.csv or .jsonl; columns in the README).

    Every row is checked first. If any row is bad, each is listed with its line number and
    nothing is imported, unless --skip-invalid is given. Re-importing a file is safe.
    """
    config = load_or_exit()
    database = open_database(config)
    require_migrated(database, auto_migrate_sqlite=True)
    report = import_accounts(
        database,
        file,
        now=utcnow(),
        skip_invalid=skip_invalid,
        default_region=region,
        progress=lambda records: progress(records, length=len(records), label="importing"),  # type: ignore[arg-type]
    )
    for error in report.errors:
        click.echo(f"{file}:{error}", err=True)
    if not report.applied:
        click.echo(
            f"{len(report.errors)} bad row(s) in {report.rows}; nothing imported "
            "(fix them, or use --skip-invalid to import the rest)",
            err=True,
        )
        sys.exit(1)
    click.echo(
        f"{report.rows} row(s): {report.created} created, {report.updated} updated, "
        f"{report.unchanged} unchanged, {len(report.errors)} skipped"
    )
