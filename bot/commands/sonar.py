"""``sonar`` commands: sync the directory from Sonar, check its set-up, migrate PINs.

The core may not import the Sonar adapter, so the gateway comes from the container: the
installed adapter's ``register`` offers a factory as ``container.options["sonar.gateway"]``.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from bot.clock import utcnow
from bot.commands._common import load_or_exit, require_migrated
from bot.container import Container, build_container
from bot.security import PinHasher
from bot.services._vault_config import argon2_parameters, load_pepper
from bot.services.notices import channels_from_settings
from bot.services.pin_vault import build_vault
from bot.services.sonar_check import PORTAL_BREAKS, CheckReport, run_check
from bot.services.sonar_pins import import_pins
from bot.services.sonar_sync import NoticeRouting, sync_accounts

__all__ = ["sonar_group"]

GATEWAY_OPTION = "sonar.gateway"


def _connect() -> tuple[Container, Any]:
    config = load_or_exit()
    container = build_container(config)
    require_migrated(container.database, auto_migrate_sqlite=True)
    factory = container.options.get(GATEWAY_OPTION)
    gateway = factory() if factory is not None else None
    if gateway is None:
        click.echo("cpni-guard: set SONAR_URL and SONAR_API_TOKEN first", err=True)
        sys.exit(2)
    return container, gateway


@click.group("sonar")
def sonar_group() -> None:
    """Sonar as the account system of record (sync, set-up check, PIN migration)."""


@sonar_group.command("sync")
@click.option("--full", is_flag=True, help="Re-read every account, not only changed ones.")
def sonar_sync(full: bool) -> None:
    """Import accounts, contacts, addresses and status from Sonar into the directory.

    The first run reads everything; later runs read what changed since. An interrupted run
    resumes where it stopped. Real changes to known accounts queue customer notices.
    """
    container, gateway = _connect()
    settings = container.config.settings
    routing = NoticeRouting(
        policy=container.config.policy,
        channels=channels_from_settings(settings),
        password=settings.sonar_notify_password,
        address=settings.sonar_notify_address,
        triggers=gateway.trigger_states,
    )
    with click.progressbar(length=1, label="syncing", file=sys.stderr) as bar:

        def advance(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        report = sync_accounts(
            container.database,
            gateway,
            routing=routing,
            now=utcnow(),
            full=full,
            page_size=settings.sonar_page_size,
            progress=advance,
        )
    for problem in report.problems:
        click.echo(f"skipped {problem}", err=True)
    kind = "full" if report.full else "incremental"
    click.echo(
        f"{kind} sync{' (resumed)' if report.resumed else ''}: {report.created} created, "
        f"{report.updated} updated, {report.unchanged} unchanged, {report.invalid} skipped; "
        f"{report.changes} change(s) announced"
    )


def _yes_no(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def _print_check(report: CheckReport, portal_user: str) -> None:
    click.echo("Sonar triggered messages:")
    for trigger, enabled in report.triggers.items():
        state = "unknown" if enabled is None else ("enabled" if enabled else "off")
        click.echo(f"  {trigger}: {state}")
    click.echo("Who notifies each change kind:")
    for kind, who in report.notifiers.items():
        click.echo(f"  {kind}: {who}")
    portal = report.portal
    click.echo(f"Portal API user {portal_user!r}:")
    if portal is not None and portal.found:
        click.echo(f"  super admin: {_yes_no(portal.super_admin)}")
        click.echo(f"  UPDATE_CONTACT (effective): {_yes_no(portal.has_update_contact)}")
        click.echo(f"  CPNI-compliant: {_yes_no(portal.compliant)}")
    else:
        click.echo("  not found or not readable")
    click.echo(
        "  With UPDATE_CONTACT, customers change their email, phone numbers and password in the "
        "portal with no PIN check. Turning it off breaks: " + "; ".join(PORTAL_BREAKS) + "."
    )
    click.echo(f"Bot token holds UPDATE_CONTACT: {_yes_no(report.bot_has_update_contact)}")
    for warning in report.warnings:
        click.echo(f"WARNING: {warning}")


@sonar_group.command("check")
def sonar_check() -> None:
    """Report Sonar's notices, who notifies what, and the portal and bot permissions.

    Exits with status 1 when something needs attention.
    """
    container, gateway = _connect()
    settings = container.config.settings
    report = run_check(
        gateway,
        portal_user=settings.sonar_portal_api_user,
        notify_password=settings.sonar_notify_password,
        notify_address=settings.sonar_notify_address,
    )
    _print_check(report, settings.sonar_portal_api_user)
    sys.exit(0 if report.ok else 1)


@sonar_group.command("import-pins")
@click.option("--field", "field_name", required=True, help="The Sonar custom field's name.")
@click.option("--dry-run", is_flag=True, help="Report what would happen; change nothing.")
@click.option("--clear-source", is_flag=True, help="Blank the field in Sonar after import.")
def sonar_import_pins(field_name: str, dry_run: bool, clear_source: bool) -> None:
    """Hash the clear-text PINs of a Sonar custom field into the PIN vault.

    Run `sonar sync` first. PINs that break the PIN policy are stored but flagged for
    re-enrolment. Re-running is safe. PINs are never printed or logged.
    """
    container, gateway = _connect()
    config, database = container.config, container.database
    hasher = PinHasher(
        load_pepper(config.settings, database), parameters=argon2_parameters(config.settings)
    )
    report = import_pins(
        database,
        gateway,
        build_vault(config, database),
        field_name=field_name,
        hash_pin=hasher.hash,
        pin_policy=config.policy.pin,
        now=utcnow(),
        dry_run=dry_run,
        clear_source=clear_source,
    )
    if report.problem:
        click.echo(f"cpni-guard: {report.problem}", err=True)
        sys.exit(1)
    would = "would be " if dry_run else ""
    click.echo(
        f"{report.seen} account(s) hold the field: {report.imported} {would}imported, "
        f"{report.flagged} {would}flagged for re-enrolment, {report.already_enrolled} already "
        f"enrolled, {report.unknown_account} not in the directory, {report.empty} empty; "
        f"{report.cleared} cleared in Sonar"
    )
    for account in report.flagged_accounts:
        click.echo(f"  re-enrol: account {account}")
