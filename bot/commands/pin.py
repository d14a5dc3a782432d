"""``pin`` commands: set, change, reset, unlock, inspect and verify PINs and backup answers.

A PIN or backup answer is never taken from the command line (it would sit in shell history and
``ps``): it is read from a no-echo prompt on a terminal, or as one line of standard input.
"""

from __future__ import annotations

import getpass
import sys
from typing import NoReturn

import click

from bot.commands._common import EXIT_CONFIG, load_or_exit, open_database, require_migrated
from bot.domain.backup_answer import BackupOutcome, NoBackupAnswer
from bot.domain.verification import (
    LockedOut,
    NewPinRequired,
    NoPinOnFile,
    Rejected,
    UnknownAccount,
    Verified,
)
from bot.errors import ConfigurationError
from bot.services.pin_vault import PinUpdate, PinUpdateStatus, PinVault, build_vault

__all__ = [
    "EXIT_LOCKED_OUT",
    "EXIT_NEW_PIN_REQUIRED",
    "EXIT_NO_PIN",
    "EXIT_REJECTED",
    "pin_group",
]

#: Exit statuses of ``pin verify`` and ``pin backup-verify`` (and of the other commands where
#: they apply). 4 also covers "no backup answer on file"; 5 is R16's "new PIN required".
EXIT_REJECTED = 1
EXIT_LOCKED_OUT = 3
EXIT_NO_PIN = 4
EXIT_NEW_PIN_REQUIRED = 5
_NEW_PIN_TEXT = (
    "new PIN required: the PIN and the backup answer both failed in this interaction (R16); "
    "set a new PIN after a one-time code to the contact of record (pin reset-code, then pin "
    "reset --otp) or an in-person photo-ID check (pin reset --in-person-id); never ask for "
    "biographical or account data"
)


def _vault() -> PinVault:
    config = load_or_exit()
    database = open_database(config)
    require_migrated(database, auto_migrate_sqlite=True)
    try:
        return build_vault(config, database)
    except ConfigurationError as exc:
        click.echo(f"cpni-guard: {exc}", err=True)
        sys.exit(EXIT_CONFIG)


def _actor(by: str | None) -> str:
    return by or f"cli:{getpass.getuser()}"


def _read_pin(label: str, *, confirm: bool) -> str:
    """A PIN from a no-echo prompt on a terminal, or one line of standard input."""
    if sys.stdin.isatty():
        return str(click.prompt(label, hide_input=True, confirmation_prompt=confirm, err=True))
    line = sys.stdin.readline()
    if not line:
        _fail(f"expected the {label.lower()} on standard input", EXIT_REJECTED)
    return line.rstrip("\r\n")


def _fail(message: str, status: int) -> NoReturn:
    click.echo(f"cpni-guard: {message}", err=True)
    sys.exit(status)


def _describe(outcome: BackupOutcome) -> tuple[str, int]:
    if isinstance(outcome, Rejected):
        return f"rejected ({outcome.attempts_left} attempt(s) left before a lockout)", 1
    if isinstance(outcome, LockedOut):
        if outcome.until is None:
            return "locked out until a supervisor unlocks it or a new PIN is set", EXIT_LOCKED_OUT
        return f"locked out until {outcome.until.isoformat()}", EXIT_LOCKED_OUT
    return _FIXED[type(outcome)]


_FIXED: dict[type, tuple[str, int]] = {
    Verified: ("verified", 0),
    NewPinRequired: (_NEW_PIN_TEXT, EXIT_NEW_PIN_REQUIRED),
    NoPinOnFile: ("no PIN on file", EXIT_NO_PIN),
    NoBackupAnswer: ("no backup answer on file", EXIT_NO_PIN),
    UnknownAccount: ("unknown account", EXIT_NO_PIN),
}


def _report(update: PinUpdate, done: str) -> None:
    if update.ok:
        click.echo(done)
        return
    if update.status is PinUpdateStatus.REFUSED_BY_POLICY:
        click.echo("The PIN was refused:", err=True)
        for problem in update.problems:
            click.echo(f"  - {problem.text} [{problem.code}]", err=True)
        sys.exit(EXIT_REJECTED)
    if update.verification is not None:
        text, status = _describe(update.verification)
        _fail(f"the current PIN was not accepted: {text}", status or EXIT_REJECTED)
    missing = {
        PinUpdateStatus.UNKNOWN_ACCOUNT,
        PinUpdateStatus.NO_PIN_ON_FILE,
        PinUpdateStatus.UNKNOWN_QUESTION,
    }
    _fail(update.detail or str(update.status), EXIT_NO_PIN if update.status in missing else 1)


@click.group("pin")
def pin_group() -> None:
    """Customer PINs: set, change, reset, unlock, status, verify (PINs never on argv)."""


@pin_group.command("set")
@click.argument("account")
@click.option("--service-start", is_flag=True, help="Chosen while initiating service: no notice.")
@click.option("--by", "by", help="Who sets it (default: cli:<login>).")
def pin_set(account: str, service_start: bool, by: str | None) -> None:
    """Set the first PIN of ACCOUNT (prompted without echo, or one line of stdin)."""
    vault = _vault()
    pin = _read_pin("New PIN", confirm=True)
    update = vault.enrol(
        account, pin, actor=_actor(by), surface="cli", at_service_start=service_start
    )
    _report(update, "PIN set.")


@pin_group.command("change")
@click.argument("account")
@click.option("--by", "by", help="Who changes it (default: cli:<login>).")
def pin_change(account: str, by: str | None) -> None:
    """Change the PIN of ACCOUNT: the current PIN, then the new one (prompt or 2 stdin lines)."""
    vault = _vault()
    current = _read_pin("Current PIN", confirm=False)
    new = _read_pin("New PIN", confirm=True)
    _report(vault.change(account, current, new, actor=_actor(by), surface="cli"), "PIN changed.")


@pin_group.command("reset-code")
@click.argument("account")
@click.option("--by", "by", help="Who asks for it (default: cli:<login>).")
def pin_reset_code(account: str, by: str | None) -> None:
    """Send a one-time reset code to the contact of record of ACCOUNT (R14)."""
    result = _vault().start_reset_otp(account, actor=_actor(by))
    if not result.sent:
        _fail(f"no code sent: {result.reason.replace('_', ' ')}", EXIT_NO_PIN)
    until = result.expires_at.isoformat() if result.expires_at else "?"
    click.echo(f"A one-time code was sent by {result.channel}; it works until {until}.")


@pin_group.command("reset")
@click.argument("account")
@click.option("--reason", required=True, help="Why the PIN is reset (audited).")
@click.option("--otp", "code", help="The one-time code from `pin reset-code`.")
@click.option("--in-person-id", is_flag=True, help="A supervisor checked a valid photo ID.")
@click.option("--supervisor", help="The supervisor who checked the photo ID.")
@click.option("--by", "by", help="Who resets it (default: cli:<login>).")
def pin_reset(
    account: str,
    *,
    reason: str,
    code: str | None,
    in_person_id: bool,
    supervisor: str | None,
    by: str | None,
) -> None:
    """Set a new PIN for ACCOUNT after a one-time code or an in-person photo-ID check."""
    if bool(code) == in_person_id:
        raise click.UsageError("give exactly one of --otp CODE or --in-person-id")
    if in_person_id and not supervisor:
        raise click.UsageError("--in-person-id needs --supervisor NAME")
    vault = _vault()
    pin = _read_pin("New PIN", confirm=True)
    update = vault.reset(
        account,
        pin,
        actor=_actor(by),
        surface="cli",
        method="in_person_id" if in_person_id else "otp",
        reason=reason,
        supervisor=supervisor,
        code=code,
    )
    _report(update, "PIN reset; every lockout on the account is lifted.")


@pin_group.command("unlock")
@click.argument("account")
@click.option("--by", "supervisor", required=True, help="The supervisor who unlocks.")
@click.option("--reason", required=True, help="Why (audited).")
def pin_unlock(account: str, supervisor: str, reason: str) -> None:
    """Lift a lockout of ACCOUNT (a supervisor's recorded decision)."""
    status = _vault().unlock(account, supervisor=supervisor, reason=reason)
    if status.state in ("unknown_account", "no_pin"):
        _fail(status.state.replace("_", " "), EXIT_NO_PIN)
    click.echo(f"Unlocked; the PIN is {status.state}.")


@pin_group.command("status")
@click.argument("account")
def pin_status(account: str) -> None:
    """Show the PIN state of ACCOUNT: state, failures, lockout (never the hash)."""
    status = _vault().status(account)
    click.echo(f"account:               {status.account_number}")
    click.echo(f"state:                 {status.state}")
    if status.state in ("unknown_account", "no_pin"):
        sys.exit(EXIT_NO_PIN)
    click.echo(f"failures (window):     {status.failures_in_window}")
    click.echo(f"consecutive failures:  {status.consecutive_failures}")
    click.echo(f"lockouts so far:       {status.lockout_count}")
    until = status.locked_until.isoformat() if status.locked_until else "-"
    click.echo(f"locked until:          {until}")
    click.echo(f"hard locked:           {'yes' if status.hard_locked else 'no'}")
    enrolled = status.enrolled_at.isoformat() if status.enrolled_at else "-"
    click.echo(f"enrolled at:           {enrolled}")
    click.echo(f"pepper key id:         {status.pepper_key_id or '-'}")
    click.echo(f"backup question:       {status.backup_question_id or '-'}")


@pin_group.command("verify")
@click.argument("account")
@click.option("--by", "by", help="Who verifies (default: cli:<login>).")
@click.option("--method", default="cli", show_default=True, help="How the PIN was taken (ivr...).")
@click.option("--interaction", help="The interaction (call, ticket) the attempt belongs to (R16).")
def pin_verify(account: str, by: str | None, method: str, interaction: str | None) -> None:
    """Verify a PIN for ACCOUNT read from stdin; counts as an attempt.

    Exit status: 0 verified, 1 rejected, 3 locked out, 4 no PIN or unknown account, 5 a new
    PIN is required (PIN and backup answer both failed in the --interaction, R16).
    """
    if method == "backup_answer":
        raise click.UsageError("--method backup_answer is reserved; use pin backup-verify")
    vault = _vault()
    pin = _read_pin("PIN", confirm=False)
    outcome = vault.verify(
        account,
        pin,
        actor=_actor(by),
        surface="cli",
        method=method[:16],
        conversation_key=interaction,
    )
    text, status = _describe(outcome)
    click.echo(text)
    sys.exit(status)


@pin_group.command("backup-set")
@click.argument("account")
@click.option("--question", required=True, help="The question's id (q-...) or 1-based position.")
@click.option("--service-start", is_flag=True, help="First answer, at service start: no notice.")
@click.option("--by", "by", help="Who sets it (default: cli:<login>).")
def pin_backup_set(account: str, question: str, service_start: bool, by: str | None) -> None:
    """Set or change the backup answer of ACCOUNT: the current PIN, then the answer.

    Both come from no-echo prompts or two lines of stdin; the PIN check counts as an attempt.
    """
    vault = _vault()
    current = _read_pin("Current PIN", confirm=False)
    answer = _read_pin("Backup answer", confirm=True)
    update = vault.set_backup_answer(
        account,
        question,
        current,
        answer,
        actor=_actor(by),
        surface="cli",
        at_service_start=service_start,
    )
    _report(update, "Backup answer set.")


@pin_group.command("backup-verify")
@click.argument("account")
@click.option("--by", "by", help="Who verifies (default: cli:<login>).")
@click.option("--interaction", help="The interaction (call, ticket) the attempt belongs to (R16).")
def pin_backup_verify(account: str, by: str | None, interaction: str | None) -> None:
    """Verify a backup answer for ACCOUNT read from stdin; counts as an attempt.

    Exit status as for pin verify (4 also when no backup answer is on file).
    """
    vault = _vault()
    if sys.stdin.isatty():
        asked = vault.backup_question(account)
        click.echo(f"Question: {asked.text if asked else '(none on file)'}", err=True)
    answer = _read_pin("Backup answer", confirm=False)
    if not answer.strip():
        _fail("the backup answer is empty", EXIT_REJECTED)
    outcome = vault.verify_backup_answer(
        account, answer, actor=_actor(by), surface="cli", conversation_key=interaction
    )
    text, status = _describe(outcome)
    click.echo(text)
    sys.exit(status)
