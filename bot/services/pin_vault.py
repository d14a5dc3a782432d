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

from bot.config import AppConfig
from bot.domain.audit import AuditAction
from bot.domain.verification import Verified, after_supervisor_unlock, is_locked
from bot.security import PinHasher
from bot.services._vault_backup import BackupAnswers
from bot.services._vault_config import argon2_parameters, load_pepper
from bot.services._vault_core import Who
from bot.services._vault_notices import notice_sink
from bot.services._vault_reset import PinResets
from bot.services._vault_store import find_account, lock_credential, store_state, to_state
from bot.services._vault_types import (
    ChangeSink,
    CredentialStatus,
    PinChange,
    PinUpdate,
    PinUpdateStatus,
    ResetCode,
    StatusLabel,
)
from bot.services._vault_writes import STATUS_FOR
from bot.storage.accounts import Credential
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


class PinVault(PinResets, BackupAnswers):
    """The PIN use cases.

    ``verify`` counts one PIN attempt (``_vault_core``); ``start_reset_otp`` and ``reset`` are
    in ``_vault_reset``; the backup-answer use cases (``set_backup_answer``,
    ``verify_backup_answer``, ``backup_question(s)``) in ``_vault_backup``.
    """

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
                return self._refuse(
                    session, who, action, account_number, PinUpdateStatus.UNKNOWN_ACCOUNT
                )
            if row is not None and row.pin_hash is not None:
                return self._refuse(
                    session, who, action, account_number, PinUpdateStatus.ALREADY_ENROLLED
                )
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
                status = STATUS_FOR.get(type(outcome), PinUpdateStatus.NOT_AUTHENTICATED)
                self._event(session, who, action, account_number, str(status), now=now)
                return PinUpdate(status, verification=outcome)
            refused = self._check_policy(session, who, action, attempt.account, pin=new_pin)
            if refused is not None:
                return PinUpdate(refused.status, refused.problems, outcome, refused.detail)
            self._store_new_pin(session, who, action, attempt.account, row=attempt.row, pin=new_pin)
            self._emit(session, who, attempt.account, "pin_changed")
        return PinUpdate(PinUpdateStatus.SET, verification=outcome)

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
                backup_question_id=row.backup_question_id if row.backup_answer_hash else None,
            )


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
        backup_questions=policy.backup_questions,
    )
