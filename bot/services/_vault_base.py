"""The PIN vault's shared state and audit trail: construction, audit events, R26 failures.

Every vault module builds on :class:`VaultBase`: it holds the database, the hasher, the
policies and the change sink, and writes the audit events of attempts, lockouts and the
cross-account pretexting signal (R26). Nothing here ever sees a PIN or an answer.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.clock import Clock, utcnow
from bot.domain.audit import AuditAction
from bot.domain.backup_answer import BackupOutcome, NoBackupAnswer
from bot.domain.lockout_policy import DEFAULT_LOCKOUT_POLICY, LockoutPolicy
from bot.domain.pin_policy import DEFAULT_PIN_POLICY, PinPolicy
from bot.domain.pretexting import PretextingPolicy
from bot.domain.verification import LockedOut, NoPinOnFile, Rejected, Verified
from bot.security import PepperRing, PinHasher
from bot.services._vault_store import audit, record_failure
from bot.services._vault_types import ChangeSink
from bot.storage.accounts import Account, Credential
from bot.storage.db import Database

__all__ = ["Attempt", "VaultBase", "Who"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attempt:
    """One decided attempt: the outcome, whether a hash was checked, and the rows."""

    outcome: BackupOutcome
    evaluated: bool
    account: Account | None
    row: Credential | None


@dataclass(frozen=True)
class Who:
    """Who made an attempt or change, where and how (for the audit record)."""

    actor: str
    surface: str
    method: str
    conversation_key: str | None = None
    source: str | None = None


class VaultBase:
    """The vault's parts and its audit trail; ``PinVault`` adds the use cases.

    Args:
        database: where accounts, credentials and the audit log live.
        hasher: the argon2id hasher with the pepper.
        lockout: the attempt limits (shared by PINs and backup answers).
        pin_policy: which PINs may be chosen.
        pretexting: the thresholds of the cross-account signal (R26).
        clock: the time source.
        pepper: the pepper ring, needed to seal one-time codes for delivery and to check the
            account's DOB/SSN digests; without it those two features are off.
        on_change: records the account-change event of every new PIN or backup answer (the
            notifications service), in the same transaction.
        otp_ttl: how long a one-time reset code stays valid.
        otp_max_attempts: wrong entries that kill a one-time code.
        backup_questions: the configured backup questions (R15), as in the policy file.
    """

    def __init__(
        self,
        database: Database,
        hasher: PinHasher,
        *,
        lockout: LockoutPolicy = DEFAULT_LOCKOUT_POLICY,
        pin_policy: PinPolicy = DEFAULT_PIN_POLICY,
        pretexting: PretextingPolicy | None = None,
        clock: Clock = utcnow,
        pepper: PepperRing | None = None,
        on_change: ChangeSink | None = None,
        otp_ttl: timedelta = timedelta(minutes=10),
        otp_max_attempts: int = 5,
        backup_questions: tuple[str, ...] = (),
    ) -> None:
        self._db = database
        self._hasher = hasher
        self._lockout = lockout
        self._pin_policy = pin_policy
        self._pretexting = pretexting or PretextingPolicy()
        self._clock = clock
        self._pepper = pepper
        self._on_change = on_change
        self._otp_ttl = otp_ttl
        self._otp_max_attempts = otp_max_attempts
        self._backup_questions = backup_questions

    def _audit_attempt(
        self, session: Session, account_number: str, attempt: Attempt, *, who: Who, now: datetime
    ) -> None:
        outcome = attempt.outcome
        details: dict[str, object] = {"evaluated": attempt.evaluated}
        if isinstance(outcome, Rejected):
            details["attempts_left"] = outcome.attempts_left
        if isinstance(outcome, LockedOut):
            details["until"] = outcome.until.isoformat() if outcome.until else None
        if who.source:
            details["source"] = who.source
        self._event(
            session,
            who,
            AuditAction.PIN_VERIFY,
            account_number,
            outcome.kind,
            now=now,
            details=details,
        )
        if isinstance(outcome, LockedOut) and attempt.evaluated and attempt.row is not None:
            lock = {"hard": attempt.row.hard_locked, "lockout_number": attempt.row.lockout_count}
            self._event(
                session,
                who,
                AuditAction.PIN_LOCKOUT,
                account_number,
                "hard" if attempt.row.hard_locked else "timed",
                now=now,
                details={**lock, "until": details["until"]},
            )
        if not isinstance(outcome, Verified | NoPinOnFile | NoBackupAnswer):
            self._note_failure(session, account_number, who=who, now=now)

    def _note_failure(
        self, session: Session, account_number: str, *, who: Who, now: datetime
    ) -> None:
        raised = record_failure(
            session,
            account_number=account_number,
            actor=who.actor,
            source=who.source,
            now=now,
            policy=self._pretexting,
        )
        for dimension, subject, accounts in raised:
            log.warning("possible pretexting", extra={"dimension": dimension, "subject": subject})
            self._event(
                session,
                Who("system", who.surface, who.method, who.conversation_key),
                AuditAction.POSSIBLE_PRETEXTING,
                account_number,
                "escalated",
                now=now,
                details={"dimension": dimension, "subject": subject, "accounts": list(accounts)},
            )

    def _event(
        self,
        session: Session,
        who: Who,
        action: AuditAction | str,
        account_number: str | None,
        outcome: str,
        *,
        now: datetime,
        details: Mapping[str, object] | None = None,
    ) -> None:
        audit(
            session,
            now=now,
            actor=who.actor,
            action=action,
            account_number=account_number,
            surface=who.surface,
            method=who.method,
            outcome=outcome,
            conversation_key=who.conversation_key,
            details=dict(details or {}),
        )
