"""``notices`` commands (list, pending, show, resend, letters) and ``accounts event``."""

from __future__ import annotations

import sys
import uuid
from datetime import datetime
from pathlib import Path

import click

from bot.clock import utcnow
from bot.commands._common import load_or_exit, open_database, require_migrated
from bot.commands.accounts import accounts_group
from bot.config import AppConfig
from bot.domain.notifications import CONTACT_CHANGES, AccountChange, ChangeAction, ChangeKind
from bot.services.notice_delivery import export_letters
from bot.services.notice_views import NoticeView, get_notice, list_notices, pending_notices
from bot.services.notices import channels_from_settings, record_change, resend_notice
from bot.storage.db import Database

__all__ = ["account_event", "notices_group"]

_STATES = ("queued", "sent", "failed", "skipped", "pending_staff")


def _open() -> tuple[AppConfig, Database]:
    config = load_or_exit()
    database = open_database(config)
    require_migrated(database, auto_migrate_sqlite=True)
    return config, database


def _line(view: NoticeView) -> str:
    when = view.occurred_at.strftime("%Y-%m-%d %H:%M")
    parts = [
        f"{view.id:>6}",
        f"{view.state:<13}",
        f"{view.kind:<22}",
        f"{view.account_number:<12}",
        when,
        view.channel or "-",
        view.reason or "",
    ]
    return "  ".join(parts).rstrip()


def _print(views: list[NoticeView], *, empty: str) -> None:
    if not views:
        click.echo(empty)
        return
    click.echo("    ID  STATE          KIND                    ACCOUNT       CHANGED AT        ...")
    for view in views:
        click.echo(_line(view))


@click.group("notices")
def notices_group() -> None:
    """Account-change notices to customers (R20-R25)."""


@notices_group.command("list")
@click.option("--state", "states", multiple=True, type=click.Choice(_STATES))
@click.option("--account", "account_number", help="Only this account number.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
def notices_list(states: tuple[str, ...], account_number: str | None, limit: int) -> None:
    """The newest notices first."""
    _, database = _open()
    with database.transaction() as session:
        views = list_notices(session, states=states, account_number=account_number, limit=limit)
    _print(views, empty="no notices")


@notices_group.command("pending")
def notices_pending() -> None:
    """Notices that need staff: letters to print, unknown accounts, failed deliveries."""
    _, database = _open()
    with database.transaction() as session:
        views = pending_notices(session)
    _print(views, empty="nothing pending")


@notices_group.command("show")
@click.argument("notice_id", type=int)
def notices_show(notice_id: int) -> None:
    """Everything about one notice (the destination masked; the changed value is never kept)."""
    _, database = _open()
    with database.transaction() as session:
        view = get_notice(session, notice_id)
    if view is None:
        click.echo(f"no notice {notice_id}", err=True)
        sys.exit(1)
    for field in view.__dataclass_fields__:
        value = getattr(view, field)
        shown = value.isoformat() if isinstance(value, datetime) else value
        click.echo(f"{field:<22} {'-' if shown is None else shown}")


@notices_group.command("resend")
@click.argument("notice_id", type=int)
@click.option("--actor", default="cli", show_default=True, help="Who asks (for the audit log).")
def notices_resend(notice_id: int, actor: str) -> None:
    """Deliver a notice again, to the contact of record as it was before the change."""
    config, database = _open()
    with database.transaction() as session:
        decision = resend_notice(
            session,
            notice_id,
            policy=config.policy,
            now=utcnow(),
            actor=actor,
            channels=channels_from_settings(config.settings),
        )
    if decision is None:
        click.echo(f"no notice {notice_id}", err=True)
        sys.exit(1)
    if decision.duplicate:
        click.echo(f"notice {notice_id} is still queued; nothing more was queued")
        return
    where = decision.channel or "no channel"
    click.echo(f"notice {notice_id}: {decision.state} ({where}) {decision.reason or ''}".rstrip())


@notices_group.command("letters")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--mark-sent", is_flag=True, help="Record the exported letters as sent.")
@click.option("--actor", default="cli", show_default=True, help="Who exports (audit log).")
def notices_letters(output: Path | None, mark_sent: bool, actor: str) -> None:
    """Export the letters waiting for staff as CSV for a print vendor (stdout by default)."""
    _, database = _open()
    with database.transaction() as session:
        if output is None:
            count = export_letters(
                session, sys.stdout, now=utcnow(), actor=actor, mark_sent=mark_sent
            )
        else:
            with output.open("w", newline="", encoding="utf-8") as handle:
                count = export_letters(
                    session, handle, now=utcnow(), actor=actor, mark_sent=mark_sent
                )
    click.echo(f"{count} letter(s) exported" + (", marked sent" if mark_sent else ""), err=True)


@click.command("event")
@click.argument("kind", type=click.Choice([k.value for k in ChangeKind]))
@click.argument("account_number")
@click.option("--action", type=click.Choice([a.value for a in ChangeAction]), default="changed")
@click.option("--occurred-at", type=click.DateTime(), default=None, help="UTC; default now.")
@click.option("--event-id", default=None, help="Your id for the event; a rerun is a no-op.")
@click.option("--actor", default="cli", show_default=True)
@click.option("--activation-flow", is_flag=True, help="Part of service initiation: no notice.")
@click.option("--new-value", default=None, help="The new email/number/address, to exclude it.")
@click.option("--locale", default="en", show_default=True)
def account_event(
    *,
    kind: str,
    account_number: str,
    action: str,
    occurred_at: datetime | None,
    event_id: str | None,
    actor: str,
    activation_flow: bool,
    new_value: str | None,
    locale: str,
) -> None:
    """Record an account change KIND on ACCOUNT_NUMBER and queue its notice (R4, R20)."""
    config, database = _open()
    now = utcnow()
    change_kind = ChangeKind(kind)
    if new_value is not None and change_kind not in CONTACT_CHANGES:
        raise click.UsageError(f"--new-value does not go with {kind}")
    change = AccountChange(
        kind=change_kind,
        account_number=account_number,
        occurred_at=occurred_at.replace(tzinfo=now.tzinfo) if occurred_at else now,
        source="cli",
        event_id=event_id or uuid.uuid4().hex,
        actor=actor,
        action=ChangeAction(action),
        activation_flow=activation_flow,
        locale=locale,
        new_value=new_value,
    )
    with database.transaction() as session:
        decision = record_change(
            session,
            change,
            policy=config.policy,
            now=now,
            channels=channels_from_settings(config.settings),
        )
    note = " (already recorded)" if decision.duplicate else ""
    where = decision.channel or "no channel"
    reason = f" {decision.reason}" if decision.reason else ""
    click.echo(f"notice {decision.notice_id}: {decision.state} ({where}){reason}{note}")


# Registered here: the command list in bot/cli.py holds top-level commands only.
accounts_group.add_command(account_event)
