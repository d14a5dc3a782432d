"""The PIN vault: verify, enrol, change, reset and unlock PINs, atomically and audited.

Build it once with :func:`build_vault`. Every use case is one transaction that row-locks the
account's credential; verification is in ``_vault_core``. A new PIN is checked against the PIN
policy and the account's own data (R14), and every new PIN emits an account-change event for
the customer notice (R20), except one chosen while initiating service (R21). A reset needs a
one-time code sent to a contact of record or a supervisor's in-person photo-ID check (R13,
R14): never biographical or account data.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Literal

from sqlalchemy.orm import Session

from bot.config import AppConfig
from bot.domain.audit import AuditAction
from bot.domain.pin_policy import check_pin
from bot.domain.verification import (
    LockedOut,
    NoPinOnFile,
    UnknownAccount,
    Verified,
    after_reenrolment,
    after_supervisor_unlock,
    is_locked,
)
from bot.errors import CpniBotError
from bot.security import PinHasher
from bot.services import _vault_otp as otp
from bot.services._vault_config import argon2_parameters, load_pepper
from bot.services._vault_core import VaultCore, Who
from bot.services._vault_notices import notice_sink
from bot.services._vault_store import (
    account_facts,
    find_account,
    lock_credential,
    store_state,
    to_state,
)
from bot.services._vault_types import (
    ChangeSink,
    CredentialStatus,
    PinChange,
    PinUpdate,
    PinUpdateStatus,
    ResetCode,
    StatusLabel,
)
from bot.storage.accounts import Account, Credential
from bot.storage.db import Database

__all__ = [
    "ChangeSink",
    "CredentialStatus",
    "PinChange",
    "PinUpdate",
    "PinUpdateStatus",
    "PinVault",
    "ResetCode",
    "build_vault",
]

log = logging.getLogger(__name__)
_RESET_METHODS = {"otp": "otp_to_record", "in_person_id": "photo_id"}


class PinVault(VaultCore):
    """The PIN use cases. ``verify`` (inherited) counts one attempt; see ``VaultCore``."""

    def enrol(
        self, account_number: str, pin: str, *, actor: str, surface: str, at_service_start: bool
    ) -> PinUpdate:
        """Set the first PIN of an account that has none.

        Args:
            account_number: the account.
            pin: the chosen PIN (checked against the PIN policy and the account's data).
            actor: who set it.
            surface: where.
            at_service_start: chosen while initiating service: the change event is marked
                ``activation_flow`` and no notice goes out (R21).

        Returns:
            ``SET``, ``UNKNOWN_ACCOUNT``, ``ALREADY_ENROLLED`` (use change or reset) or
            ``REFUSED_BY_POLICY`` with every reason.
        """
        who, action = Who(actor, surface, "enrolment"), AuditAction.PIN_ENROLLED
        with self._db.transaction() as session:
            account = find_account(session, account_number, lock=True)
            row = lock_credential(session, account.id) if account else None
            if account is None:
                return self._refuse(session, who, action, account_number, _UNKNOWN)
            if row is not None and row.pin_hash is not None:
                return self._refuse(session, who, action, account_number, _ENROLLED)
            refused = self._check_policy(session, who, action, account, pin=pin)
            if refused is not None:
                return refused
            details = {"activation_flow": at_service_start}
            self._store_new_pin(session, who, action, account, row=row, pin=pin, details=details)
            self._emit(session, who, account, "pin_created", activation_flow=at_service_start)
        return PinUpdate(PinUpdateStatus.SET)

    def change(
        self, account_number: str, current_pin: str, new_pin: str, *, actor: str, surface: str
    ) -> PinUpdate:
        """Replace the PIN after checking the current one (which counts as an attempt).

        The new PIN is checked against the policy only after the current one verified, so an
        unauthenticated caller learns nothing about the account's data from the refusals.

        Returns:
            ``SET``; ``NOT_AUTHENTICATED``, ``NO_PIN_ON_FILE`` or ``UNKNOWN_ACCOUNT`` with the
            verification outcome; or ``REFUSED_BY_POLICY`` with every reason.
        """
        who, action = Who(actor, surface, "pin"), AuditAction.PIN_CHANGED
        now = self._clock()
        with self._db.transaction() as session:
            attempt = self._attempt(session, account_number, current_pin, now=now)
            self._audit_attempt(session, account_number, attempt, who=who, now=now)
            outcome = attempt.outcome
            if not isinstance(outcome, Verified) or attempt.account is None:
                status = _STATUS_FOR.get(type(outcome), PinUpdateStatus.NOT_AUTHENTICATED)
                self._event(session, who, action, account_number, str(status), now=now)
                return PinUpdate(status, verification=outcome)
            refused = self._check_policy(session, who, action, attempt.account, pin=new_pin)
            if refused is not None:
                return PinUpdate(refused.status, refused.problems, outcome, refused.detail)
            self._store_new_pin(session, who, action, attempt.account, row=attempt.row, pin=new_pin)
            self._emit(session, who, attempt.account, "pin_changed")
        return PinUpdate(PinUpdateStatus.SET, verification=outcome)

    def start_reset_otp(self, account_number: str, *, actor: str = "system") -> ResetCode:
        """Send a one-time code to the account's contact of record, for a reset (R14).

        The code is stored only as a peppered argon2id hash; its delivery is queued as a
        ``notify.otp`` outbox effect with the code sealed. A newer code replaces older ones.

        Raises:
            CpniBotError: the vault was built without a pepper ring (cannot seal the code).
        """
        if self._pepper is None:
            raise CpniBotError("one-time codes need the vault's pepper ring")
        who, now = Who(actor, "system", "otp_to_record"), self._clock()
        with self._db.transaction() as session:
            account = find_account(session, account_number, lock=True)
            if account is None:
                self._hasher.hash(account_number)  # same cost as issuing a code
                result = ResetCode(sent=False, reason="unknown_account")
            else:
                result = otp.issue_code(
                    session,
                    account,
                    hasher=self._hasher,
                    pepper=self._pepper,
                    now=now,
                    ttl=self._otp_ttl,
                )
            details = {"channel": result.channel} if result.channel else {}
            self._event(
                session, who, _CODE_SENT, account_number, result.reason, now=now, details=details
            )
        return result

    def reset(
        self,
        account_number: str,
        new_pin: str,
        *,
        actor: str,
        surface: str,
        method: str,
        reason: str,
        supervisor: str | None = None,
        code: str | None = None,
    ) -> PinUpdate:
        """Set a new PIN after non-biographical authentication (R13, R14, R16).

        Args:
            account_number: the account.
            new_pin: the new PIN (checked against the policy and the account's data).
            actor: who performs the reset.
            surface: where.
            method: ``otp`` (with ``code``, from ``start_reset_otp``) or ``in_person_id`` (a
                supervisor's recorded check of a valid photo ID, with ``supervisor``).
            reason: why (recorded in the audit log).
            supervisor: the supervisor who checked the photo ID (``in_person_id``).
            code: the one-time code the customer received (``otp``).

        Returns:
            ``SET`` (every lock and counter is cleared: re-enrolment), ``UNKNOWN_ACCOUNT``,
            ``NOT_AUTHENTICATED`` (wrong, expired or used code) or ``REFUSED_BY_POLICY``; a
            refused PIN leaves the code usable.

        Raises:
            ValueError: an unknown method, an empty reason, or the method's proof missing.
        """
        _check_reset_request(method, reason=reason, supervisor=supervisor, code=code)
        who, action = Who(actor, surface, _RESET_METHODS[method]), AuditAction.PIN_RESET
        details = {"reason": reason.strip(), "supervisor": supervisor}
        now = self._clock()
        with self._db.transaction() as session:
            account = find_account(session, account_number, lock=True)
            if account is None:
                return self._refuse(session, who, action, account_number, _UNKNOWN, details=details)
            row = lock_credential(session, account.id)
            code_row = None
            if method == "otp":
                code_row = otp.check_code(
                    session,
                    account,
                    code or "",
                    hasher=self._hasher,
                    now=now,
                    max_attempts=self._otp_max_attempts,
                )
                if code_row is None:
                    self._note_failure(session, account_number, who=who, now=now)
                    return self._refuse(
                        session, who, action, account_number, _NO_AUTH, details=details
                    )
            refused = self._check_policy(
                session, who, action, account, pin=new_pin, details=details
            )
            if refused is not None:
                return refused
            if code_row is not None:
                code_row.state, code_row.used_at = "used", now
            self._store_new_pin(
                session, who, action, account, row=row, pin=new_pin, details=details
            )
            self._emit(session, who, account, "pin_reset")
        return PinUpdate(PinUpdateStatus.SET)

    def unlock(self, account_number: str, *, supervisor: str, reason: str) -> CredentialStatus:
        """Lift a timed or hard lockout; a supervisor's decision, recorded with the reason.

        The failure counters clear; the lockout count stays, so renewed guessing locks for
        longer. An unlock is not a proof of identity.

        Raises:
            ValueError: an empty supervisor name or reason.
        """
        if not supervisor.strip() or not reason.strip():
            raise ValueError("an unlock needs the supervisor's name and a reason")
        who, now = Who(supervisor, "cli", "supervisor"), self._clock()
        with self._db.transaction() as session:
            account = find_account(session, account_number, lock=True)
            row = lock_credential(session, account.id) if account else None
            outcome = "unknown_account" if account is None else "no_pin"
            if row is not None:
                state = to_state(row)
                outcome = "unlocked" if is_locked(state, now=now) else "not_locked"
                store_state(row, after_supervisor_unlock(state), now=now)
            self._event(
                session,
                who,
                AuditAction.PIN_UNLOCKED,
                account_number,
                outcome,
                now=now,
                details={"reason": reason.strip()},
            )
        return self.status(account_number)

    def status(self, account_number: str) -> CredentialStatus:
        """The credential's state and counters (never the hash)."""
        now = self._clock()
        with self._db.transaction() as session:
            account = find_account(session, account_number)
            row = session.get(Credential, account.id) if account else None
            if account is None or row is None or row.pin_hash is None:
                missing: StatusLabel = "unknown_account" if account is None else "no_pin"
                return CredentialStatus(account_number, missing)
            state = to_state(row)
            label: StatusLabel = "active"
            if state.hard_locked:
                label = "hard_locked"
            elif is_locked(state, now=now):
                label = "locked_out"
            return CredentialStatus(
                account_number,
                label,
                failures_in_window=state.failures_in_window,
                consecutive_failures=state.consecutive_failures,
                locked_until=state.locked_until if label == "locked_out" else None,
                hard_locked=state.hard_locked,
                lockout_count=state.lockout_count,
                enrolled_at=row.enrolled_at,
                pepper_key_id=row.pepper_key_id,
            )

    # -- helpers --------------------------------------------------------------------------

    def _check_policy(
        self,
        session: Session,
        who: Who,
        action: AuditAction,
        account: Account,
        *,
        pin: str,
        details: Mapping[str, object] | None = None,
    ) -> PinUpdate | None:
        keys = (
            [k.secret for k in (self._pepper.current, *self._pepper.fallbacks)]
            if self._pepper
            else []
        )
        facts = account_facts(session, account, keys=keys, now=self._clock())
        problems = check_pin(pin, policy=self._pin_policy, account=facts)
        if not problems:
            return None
        reasons = [str(p.code) for p in problems]
        self._event(
            session,
            who,
            action,
            account.account_number,
            str(_POLICY),
            now=self._clock(),
            details={**(details or {}), "pin_policy_reasons": reasons},
        )
        return PinUpdate(_POLICY, tuple(problems), detail="; ".join(p.text for p in problems))

    def _store_new_pin(
        self,
        session: Session,
        who: Who,
        action: AuditAction,
        account: Account,
        *,
        row: Credential | None,
        pin: str,
        details: Mapping[str, object] | None = None,
    ) -> None:
        now = self._clock()
        stored = self._hasher.hash(pin)
        if row is None:
            row = Credential(account_id=account.id, updated_at=now)
            session.add(row)
        row.pin_hash, row.pepper_key_id = stored.hash, stored.key_id
        row.enrolled_at, row.needs_reenrolment = now, False
        store_state(row, after_reenrolment(to_state(row)), now=now)
        self._event(session, who, action, account.account_number, "set", now=now, details=details)

    def _refuse(
        self,
        session: Session,
        who: Who,
        action: AuditAction,
        account_number: str,
        status: PinUpdateStatus,
        *,
        details: Mapping[str, object] | None = None,
    ) -> PinUpdate:
        self._event(
            session, who, action, account_number, str(status), now=self._clock(), details=details
        )
        return PinUpdate(status, detail=_DETAIL[status])

    def _emit(
        self,
        session: Session,
        who: Who,
        account: Account,
        kind: Literal["pin_created", "pin_changed", "pin_reset"],
        *,
        activation_flow: bool = False,
    ) -> None:
        if self._on_change is None:
            log.warning("no account-change sink is configured; no customer notice is queued")
            return
        change = PinChange(
            account.account_number,
            kind,
            who.actor,
            who.surface,
            self._clock(),
            activation_flow,
        )
        self._on_change(session, change)


_UNKNOWN = PinUpdateStatus.UNKNOWN_ACCOUNT
_ENROLLED = PinUpdateStatus.ALREADY_ENROLLED
_NO_AUTH = PinUpdateStatus.NOT_AUTHENTICATED
_POLICY = PinUpdateStatus.REFUSED_BY_POLICY
_CODE_SENT = "pin_reset_code_sent"
_STATUS_FOR: dict[type, PinUpdateStatus] = {
    UnknownAccount: PinUpdateStatus.UNKNOWN_ACCOUNT,
    NoPinOnFile: PinUpdateStatus.NO_PIN_ON_FILE,
    LockedOut: PinUpdateStatus.NOT_AUTHENTICATED,
}
_DETAIL = {
    _UNKNOWN: "No account has this number.",
    _ENROLLED: "The account already has a PIN; change it with the current PIN, or reset it.",
    _NO_AUTH: "The one-time code is wrong, expired or already used; send a new one.",
}


def _check_reset_request(
    method: str, *, reason: str, supervisor: str | None, code: str | None
) -> None:
    problems = []
    if method not in _RESET_METHODS:
        problems.append("method must be 'otp' or 'in_person_id'")
    if not reason.strip():
        problems.append("a reset needs a reason")
    if method == "otp" and not code:
        problems.append("an 'otp' reset needs the one-time code")
    if method == "in_person_id" and not (supervisor and supervisor.strip()):
        problems.append("an 'in_person_id' reset needs the supervisor who checked the photo ID")
    if problems:
        raise ValueError("; ".join(problems))


def build_vault(config: AppConfig, database: Database) -> PinVault:
    """Build the vault from the validated configuration (call once at start-up).

    The pepper comes from ``CPNI_PIN_PEPPER`` (or, on the embedded SQLite database only, a
    local pepper file beside it); argon2 parameters from ``CPNI_ARGON2_*``; the limits, PIN
    rules and R26 thresholds from the policy file. Account-change events go to the
    notifications service.

    Raises:
        ConfigurationError: a bad or missing pepper (see ``_vault_config.load_pepper``).
    """
    settings, policy = config.settings, config.policy
    pepper = load_pepper(settings, database)
    hasher = PinHasher(
        pepper,
        parameters=argon2_parameters(settings),
        max_concurrency=settings.pin_hash_concurrency,
    )
    return PinVault(
        database,
        hasher,
        lockout=policy.lockout,
        pin_policy=policy.pin,
        pretexting=policy.pretexting,
        pepper=pepper,
        on_change=notice_sink(config),
    )
