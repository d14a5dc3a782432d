"""What every command needs: the validated configuration and the database."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

import click

from bot.config import AppConfig, load_config
from bot.errors import ConfigurationError
from bot.logs import configure_logging
from bot.storage import migrate
from bot.storage.db import Database

__all__ = ["EXIT_CONFIG", "load_or_exit", "open_database", "progress", "require_migrated"]

#: Exit status for a configuration that does not validate.
EXIT_CONFIG = 2
T = TypeVar("T")


def load_or_exit() -> AppConfig:
    """Load and validate the configuration, or print every problem and exit with status 2."""
    try:
        config = load_config()
    except ConfigurationError as exc:
        click.echo(f"cpni-guard: {exc}", err=True)
        sys.exit(EXIT_CONFIG)
    configure_logging(level=config.settings.log_level, fmt=config.settings.log_format)
    return config


def open_database(config: AppConfig) -> Database:
    """The configured database."""
    return Database(config.settings.database_url)


def require_migrated(database: Database, *, auto_migrate_sqlite: bool) -> None:
    """Make sure the schema is current: migrate an embedded SQLite file, refuse PostgreSQL.

    A shared PostgreSQL database is migrated deliberately, once, by an operator; several
    replicas racing to migrate it at start-up would be a hazard.
    """
    if migrate.is_up_to_date(database):
        return
    if database.dialect == "sqlite" and auto_migrate_sqlite:
        click.echo("cpni-guard: migrating the embedded SQLite database", err=True)
        migrate.upgrade(database)
        return
    click.echo(
        "cpni-guard: the database is not migrated to this version "
        f"(at {migrate.current_revision(database) or 'nothing'}, need {migrate.head_revision()}).\n"
        "Run:  cpni-guard db upgrade",
        err=True,
    )
    sys.exit(1)


def progress(items: Iterable[T], *, length: int | None, label: str) -> Iterator[T]:
    """Iterate with a progress bar on a terminal, silently otherwise."""
    if not sys.stderr.isatty():
        yield from items
        return
    with click.progressbar(items, length=length, label=label, file=sys.stderr) as bar:
        yield from bar
