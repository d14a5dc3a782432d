"""``incidents list|show|update``: the possible-breach workflow (R26-R28, R35, R36)."""

from __future__ import annotations

import getpass
import sys
from datetime import UTC, datetime
from typing import Any

import click

from bot.clock import utcnow
from bot.commands._common import load_or_exit, open_database, require_migrated
from bot.domain.incidents import BreachRule, IncidentState
from bot.errors import IllegalTransitionError
from bot.services.incidents import (
    IncidentUpdate,
    IncidentView,
    get_view,
    list_views,
    update_incident,
)

__all__ = ["default_actor", "incidents_group"]

_STATES = [s.value for s in IncidentState]


def default_actor() -> str:
    """Who runs the command, for the audit log (R27)."""
    return f"cli:{getpass.getuser()}"


#: ISO dates or date-times, read as UTC.
_MOMENT = click.DateTime(
    formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
)


def _when(moment: datetime | None) -> str:
    return moment.isoformat(timespec="minutes") if moment else "-"


@click.group("incidents")
def incidents_group() -> None:
    """Possible-breach incidents and their notice clocks."""


@incidents_group.command("list")
@click.option("--state", "states", multiple=True, type=click.Choice(_STATES), help="Filter.")
def incidents_list(states: tuple[str, ...]) -> None:
    """Incidents, newest first."""
    database = open_database(load_or_exit())
    require_migrated(database, auto_migrate_sqlite=True)
    with database.transaction() as session:
        views = list_views(session, now=utcnow(), states=list(states) or None)
    if not views:
        click.echo("no incidents")
    for view in views:
        due = ""
        if view.clock and view.agency_notified_at is None and not view.clock.annual_summary_only:
            overdue = " OVERDUE" if view.clock.agency_overdue else ""
            due = f"  report due {_when(view.clock.agency_deadline)}{overdue}"
        click.echo(
            f"#{view.id:<5} {view.state:<17} {view.kind:<23} {_when(view.opened_at)}  "
            f"{view.account_number or view.subject}{due}"
        )


def _show(view: IncidentView) -> None:
    click.echo(f"incident #{view.id}: {view.kind} ({view.state})")
    click.echo(f"  {view.summary}")
    click.echo(f"  account: {view.account_number or '-'}   thread: {view.conversation_key or '-'}")
    click.echo(f"  opened {_when(view.opened_at)}; evidence: audit events {list(view.evidence)}")
    if view.clock is not None:
        clock = view.clock
        click.echo(f"  breach determined {_when(view.determined_at)} under the {clock.rule} rule")
        click.echo(
            f"  report to {', '.join(clock.agencies)} due {_when(clock.agency_deadline)}"
            f"; sent {_when(view.agency_notified_at)}{' OVERDUE' if clock.agency_overdue else ''}"
        )
        earliest = (
            _when(clock.customer_notice_earliest)
            if clock.customer_notice_earliest
            else "after the report"
        )
        click.echo(
            f"  customer notice: {'required' if clock.customer_notice_required else 'not required'}"
            f"; not before {earliest}; sent {_when(view.customer_notified_at)}"
        )
        for note in clock.notes:
            click.echo(f"    - {note}")
    if view.retain_until:
        click.echo(f"  record kept until {_when(view.retain_until)} (R32)")
    click.echo("  history:")
    for entry in view.history:
        note = f": {entry['note']}" if entry.get("note") else ""
        click.echo(
            f"    {entry['at'][:16]} {entry['actor']} {entry['from'] or '-'} -> {entry['to']}{note}"
        )


@incidents_group.command("show")
@click.argument("incident_id", type=int)
def incidents_show(incident_id: int) -> None:
    """One incident with its evidence, history and breach clock."""
    database = open_database(load_or_exit())
    require_migrated(database, auto_migrate_sqlite=True)
    with database.transaction() as session:
        view = get_view(session, incident_id, now=utcnow())
    if view is None:
        click.echo(f"no incident {incident_id}", err=True)
        sys.exit(1)
    _show(view)


@incidents_group.command("update")
@click.argument("incident_id", type=int)
@click.option("--state", type=click.Choice(_STATES), help="Move to this state.")
@click.option("--note", help="Why (required to close).")
@click.option("--agency-notified-at", type=_MOMENT, help="When the breach report was sent.")
@click.option(
    "--agency-delay-until", type=_MOMENT, help="Agency-directed delay of customer notice."
)
@click.option("--customer-notified-at", type=_MOMENT, help="When customers were told.")
@click.option("--override-reason", help="2007 rule: urgent need for earlier customer notice.")
@click.option("--customers-affected", type=click.IntRange(0), help="Approximate number.")
@click.option(
    "--harm-likely/--no-harm-likely", default=None, help="Whether harm is reasonably likely."
)
@click.option("--actor", default=default_actor, show_default="cli:$USER", help="Who (R27).")
def incidents_update(incident_id: int, *, state: str | None, actor: str, **facts: Any) -> None:
    """Change an incident's state or record notices; refused changes leave it untouched."""
    config = load_or_exit()
    database = open_database(config)
    require_migrated(database, auto_migrate_sqlite=True)
    for name, value in facts.items():
        if isinstance(value, datetime):  # click gives naive values: they are UTC
            facts[name] = value.replace(tzinfo=UTC)
    change = IncidentUpdate(state=IncidentState(state) if state else None, **facts)
    try:
        with database.transaction() as session:
            view = update_incident(
                session,
                incident_id,
                change=change,
                actor=actor,
                now=utcnow(),
                rule=BreachRule(config.settings.breach_rule),
            )
    except (LookupError, IllegalTransitionError, ValueError) as exc:
        click.echo(f"cpni-guard: {exc}", err=True)
        sys.exit(1)
    _show(view)
