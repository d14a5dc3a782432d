"""``config``, ``db``, ``inbox`` and ``outbox`` commands for the IT person."""

from __future__ import annotations

import sys

import click
from sqlalchemy import func, select, update

from bot.clock import utcnow
from bot.commands._common import EXIT_CONFIG, load_or_exit, open_database
from bot.config import describe, load_config
from bot.errors import ConfigurationError
from bot.storage import migrate
from bot.storage.queues import InboxItem, OutboxItem
from bot.worker import queue_counts

__all__ = ["config_group", "db_group", "inbox_group", "outbox_group"]


@click.group("config")
def config_group() -> None:
    """Inspect the configuration."""


@config_group.command("check")
def config_check() -> None:
    """Print the effective configuration (secrets masked), or every problem and exit 2."""
    try:
        config = load_config()
    except ConfigurationError as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_CONFIG)
    width = max(len(k) for k in describe(config.settings))
    for name, value in describe(config.settings).items():
        click.echo(f"{name:<{width}}  {value}")
    click.echo(f"policy: {config.settings.policy_file or '(defaults)'}")
    click.echo("configuration OK")


@click.group("db")
def db_group() -> None:
    """Database schema migrations."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to this version's schema."""
    database = open_database(load_or_exit())
    before = migrate.current_revision(database)
    migrate.upgrade(database)
    click.echo(f"database migrated: {before or 'empty'} -> {migrate.current_revision(database)}")


@db_group.command("status")
def db_status() -> None:
    """Show the schema revision and whether it is current (exit 1 if not)."""
    database = open_database(load_or_exit())
    current, head = migrate.current_revision(database), migrate.head_revision()
    click.echo(f"database at {current or 'nothing (unmigrated)'}; this version needs {head}")
    if current != head:
        click.echo("run: cpni-guard db upgrade", err=True)
        sys.exit(1)


def _status(table: type[InboxItem] | type[OutboxItem], title: str) -> None:
    database = open_database(load_or_exit())
    with database.transaction() as session:
        counts = queue_counts(session, table)
        oldest = session.scalar(
            select(func.min(table.available_at)).where(table.state.in_(("pending", "processing")))
        )
    click.echo(title)
    for state, count in counts.items():
        click.echo(f"  {state:<11} {count}")
    if oldest is None:
        click.echo("  oldest pending: none")
    else:
        age = (utcnow() - oldest).total_seconds()
        click.echo(f"  oldest pending: {oldest.isoformat(timespec='seconds')} ({age:.0f} s ago)")


@click.group("inbox")
def inbox_group() -> None:
    """The inbound event queue."""


@inbox_group.command("status")
def inbox_status() -> None:
    """Counts by state and the oldest pending item."""
    _status(InboxItem, "inbox")


@click.group("outbox")
def outbox_group() -> None:
    """The outbound effect queue (notes, messages, notices)."""


@outbox_group.command("status")
def outbox_status() -> None:
    """Counts by state and the oldest pending item."""
    _status(OutboxItem, "outbox")


@outbox_group.command("retry")
@click.argument("item_id", type=int)
def outbox_retry(item_id: int) -> None:
    """Replay a dead-lettered outbox item ITEM_ID (it keeps its idempotency key)."""
    database = open_database(load_or_exit())
    with database.transaction() as session:
        item = session.get(OutboxItem, item_id)
        if item is None:
            click.echo(f"no outbox item {item_id}", err=True)
            sys.exit(1)
        if item.state != "dead":
            click.echo(
                f"outbox item {item_id} is {item.state}, not dead; nothing to retry", err=True
            )
            sys.exit(1)
        session.execute(
            update(OutboxItem)
            .where(OutboxItem.id == item_id)
            .values(state="pending", attempts=0, available_at=utcnow(), last_error=None)
        )
    click.echo(f"outbox item {item_id} ({item.kind}) queued again")
