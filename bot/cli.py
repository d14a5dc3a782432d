"""The ``cpni-guard`` command."""

from __future__ import annotations

import click

from bot import __version__
from bot.commands.accounts import accounts_group
from bot.commands.admin import config_group, db_group, inbox_group, outbox_group
from bot.commands.compliance import audit_group, incidents_group, report_group
from bot.commands.notices import notices_group  # also adds `accounts event`
from bot.commands.pin import pin_group
from bot.commands.run import serve, worker
from bot.commands.scan import scan
from bot.commands.sonar import sonar_group

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="cpni-guard")
def cli() -> None:
    """cpni-guard: the CPNI PIN gate for Slack, Zendesk and email support threads.

    Settings come from CPNI_* (and SLACK_*, ZENDESK_*) environment variables or a .env file;
    see `cpni-guard config check` and the README.
    """


COMMANDS: list[click.Command] = [
    serve,
    worker,
    config_group,
    db_group,
    inbox_group,
    outbox_group,
    accounts_group,
    scan,  # CPNI detector over exported tickets and chats (issue 4)
    pin_group,  # PIN vault (issue 3)
    notices_group,  # account-change notices (issue 7)
    audit_group,  # compliance toolkit (issue 8)
    report_group,
    incidents_group,
    sonar_group,  # Sonar connector (issue 9)
    # --- commands: append below this line ---
]
for command in COMMANDS:
    cli.add_command(command)


def main() -> None:
    """Console-script entry point."""
    cli()
