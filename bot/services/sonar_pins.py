"""Move clear-text PINs out of a Sonar custom field into the PIN vault.

Many Sonar ISPs keep the CPNI PIN in clear text in a custom field. :func:`import_pins` enrols
each one through :class:`~bot.services.pin_vault.PinVault` (argon2id + pepper). A PIN that
breaks the PIN policy is not refused: it is stored all the same and the credential is flagged
for re-enrolment (audited with the policy reasons, and a sticky Sonar note is queued), because
refusing it would leave the account with no PIN at all. With ``clear_source`` the field is
blanked in Sonar once the vault holds a PIN for the account, audited per account. Re-running is
safe: accounts already enrolled are skipped (and their stale clear PIN cleared). PINs are never
logged, audited, shown or kept beyond the call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import select

from bot.domain.audit import AuditAction, AuditEvent
from bot.domain.pin_policy import PinPolicy, check_pin
from bot.security.hasher import StoredPin
from bot.services.pin_vault import PinUpdateStatus, PinVault
from bot.services.sonar_feed import NOTE_EFFECT
from bot.storage.accounts import Account, Credential
from bot.storage.audit_log import append
from bot.storage.db import Database
from bot.worker import enqueue_effect

__all__ = ["PinImportReport", "PinSource", "import_pins"]

_SURFACE = "sonar"


class PinSource(Protocol):
    """The custom-field side of Sonar (implemented by ``handlers.sonar.gateway``)."""

    def custom_field(self, name: str) -> dict[str, object] | None:
        """The custom field called ``name`` (``id``, ``entity_type``), if any."""
        ...

    def custom_values(self, field_id: str) -> Iterator[tuple[str, str]]:
        """``(account id, value)`` for every account holding the field."""
        ...

    def clear_custom_field(self, account_id: str, field_id: str) -> None:
        """Remove the field's value from one account."""
        ...


@dataclass(slots=True)
class PinImportReport:
    """What an import did (or, with ``dry_run``, would do). Counts only; never a PIN."""

    problem: str | None = None
    seen: int = 0
    imported: int = 0
    flagged: int = 0
    already_enrolled: int = 0
    unknown_account: int = 0
    empty: int = 0
    cleared: int = 0
    flagged_accounts: list[str] = field(default_factory=list)


def _flag(
    database: Database,
    account_number: str,
    stored: StoredPin,
    *,
    reasons: list[str],
    actor: str,
    now: datetime,
) -> bool:
    """Store a policy-breaking PIN's hash and flag the credential for re-enrolment."""
    with database.transaction() as session:
        account = session.scalars(
            select(Account).where(Account.account_number == account_number)
        ).one_or_none()
        if account is None:
            return False
        row = session.get(Credential, account.id, with_for_update=True)
        if row is not None and row.pin_hash is not None:
            return False
        if row is None:
            row = Credential(account_id=account.id, updated_at=now)
            session.add(row)
        row.pin_hash, row.pepper_key_id = stored.hash, stored.key_id
        row.enrolled_at, row.needs_reenrolment, row.updated_at = now, True, now
        append(
            session,
            AuditEvent(
                occurred_at=now,
                actor=actor,
                action=AuditAction.PIN_ENROLLED,
                surface=_SURFACE,
                account_number=account_number,
                outcome="flagged_for_reenrolment",
                details={"source": "sonar_import", "pin_policy_reasons": reasons},
            ),
        )
        enqueue_effect(
            session,
            key=f"{NOTE_EFFECT}:reenrol:{account_number}",
            kind=NOTE_EFFECT,
            payload={"account": account_number, "kind": "reenrol", "at": now.isoformat()},
            now=now,
        )
    return True


def _audit_clear(database: Database, account_number: str, *, actor: str, now: datetime) -> None:
    with database.transaction() as session:
        append(
            session,
            AuditEvent(
                occurred_at=now,
                actor=actor,
                action=AuditAction.ACCOUNT_UPDATED,
                surface=_SURFACE,
                account_number=account_number,
                outcome="sonar_pin_field_cleared",
                details={"source": "sonar_import"},
            ),
        )


def import_pins(
    database: Database,
    source: PinSource,
    vault: PinVault,
    *,
    field_name: str,
    hash_pin: Callable[[str], StoredPin],
    pin_policy: PinPolicy,
    now: datetime,
    dry_run: bool = False,
    clear_source: bool = False,
    actor: str = "cli",
) -> PinImportReport:
    """Hash every PIN of the Sonar custom field ``field_name`` into the vault.

    Args:
        database: the directory (accounts must have been synced from Sonar first).
        source: the Sonar custom-field reader/writer.
        vault: the PIN vault (``enrol``).
        field_name: the custom field's name in Sonar.
        hash_pin: the vault's hasher, for storing a policy-breaking PIN flagged.
        pin_policy: the PIN policy, to report breaking PINs in a dry run.
        now: the current time.
        dry_run: report only; change nothing here or in Sonar.
        clear_source: blank the field in Sonar for each account the vault now holds.
        actor: who runs the import, for the audit log.
    """
    report = PinImportReport()
    found = source.custom_field(field_name)
    if found is None:
        report.problem = f"no Sonar custom field is named {field_name!r}"
        return report
    if found.get("entity_type") != "Account":
        report.problem = f"custom field {field_name!r} is not an Account field"
        return report
    field_id = str(found["id"])
    for account_number, value in source.custom_values(field_id):
        report.seen += 1
        pin = value.strip()
        if not pin:
            report.empty += 1
            continue
        outcome = (
            _preview(vault, account_number, pin, pin_policy)
            if dry_run
            else _import_one(
                database, vault, account_number, pin, hash_pin=hash_pin, actor=actor, now=now
            )
        )
        setattr(report, outcome, getattr(report, outcome) + 1)
        if outcome == "flagged":
            report.flagged_accounts.append(account_number)
        if clear_source and not dry_run and outcome != "unknown_account":
            source.clear_custom_field(account_number, field_id)
            _audit_clear(database, account_number, actor=actor, now=now)
            report.cleared += 1
    return report


def _preview(vault: PinVault, account_number: str, pin: str, policy: PinPolicy) -> str:
    state = vault.status(account_number).state
    if state == "unknown_account":
        return "unknown_account"
    if state != "no_pin":
        return "already_enrolled"
    return "flagged" if check_pin(pin, policy=policy) else "imported"


_OUTCOMES = {
    PinUpdateStatus.SET: "imported",
    PinUpdateStatus.ALREADY_ENROLLED: "already_enrolled",
    PinUpdateStatus.UNKNOWN_ACCOUNT: "unknown_account",
}


def _import_one(
    database: Database,
    vault: PinVault,
    account_number: str,
    pin: str,
    *,
    hash_pin: Callable[[str], StoredPin],
    actor: str,
    now: datetime,
) -> str:
    # Migrating an existing PIN is not a customer change: marked like service start (R21).
    result = vault.enrol(account_number, pin, actor=actor, surface=_SURFACE, at_service_start=True)
    if result.status in _OUTCOMES:
        return _OUTCOMES[result.status]
    reasons = [str(p.code) for p in result.problems]
    flagged = _flag(database, account_number, hash_pin(pin), reasons=reasons, actor=actor, now=now)
    return "flagged" if flagged else "already_enrolled"
