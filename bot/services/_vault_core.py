"""The PIN vault's verification core: one atomic, audited attempt per call.

Every use case is one database transaction. A verification row-locks the account's credential
(``SELECT ... FOR UPDATE``; SQLite transactions are exclusive already), asks the lockout gate
*before* any hash is checked, checks the PIN, and writes the counters and the audit event before
it commits; so however many processes guess at once, no more guesses are evaluated than the
policy allows (``bot.domain.verification``). The PIN is handed to the hasher and nowhere else:
never to a log, an audit record, an error message or the database.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.clock import Clock, utcnow
from bot.domain.audit import AuditAction
from bot.domain.lockout_policy import DEFAULT_LOCKOUT_POLICY, LockoutPolicy
from bot.domain.pin_policy import DEFAULT_PIN_POLICY, PinPolicy
from bot.domain.pretexting import PretextingPolicy
from bot.domain.verification import (
    LockedOut,
    NoPinOnFile,
    Rejected,
    UnknownAccount,
    VerificationOutcome,
    Verified,
    after_failure,
    after_success,
    gate,
)
from bot.security import PepperRing, PinHasher, StoredPin
from bot.services._vault_store import (
    audit,
    find_account,
    lock_credential,
    record_failure,
    store_state,
    to_state,
)
from bot.services._vault_types import (
    ChangeSink,
)
from bot.storage.accounts import Account, Credential
from bot.storage.db import Database

__all__ = ["VaultCore", "Who"]

log = logging.getLogger(__name__)
_RESET_METHODS = {"otp": "otp_to_record", "in_person_id": "photo_id"}


@dataclass(frozen=True)
class Attempt:
    """One decided attempt: the outcome, whether a hash was checked, and the rows."""

    outcome: VerificationOutcome
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


class VaultCore:
    """Verification over one database and one hasher; ``PinVault`` adds the PIN changes.

    Args:
        database: where accounts, credentials and the audit log live.
        hasher: the argon2id hasher with the pepper.
        lockout: the attempt limits.
        pin_policy: which PINs may be chosen.
        pretexting: the thresholds of the cross-account signal (R26).
        clock: the time source.
        pepper: the pepper ring, needed to seal one-time codes for delivery and to check the
            account's DOB/SSN digests; without it those two features are off.
        on_change: records the account-change event of every new PIN (the notifications
            service), in the same transaction.
        otp_ttl: how long a one-time reset code stays valid.
        otp_max_attempts: wrong entries that kill a one-time code.
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

    # -- verification -------------------------------------------------------------------------

    def verify(
        self,
        account_number: str,
        pin: str,
        *,
        actor: str,
        surface: str,
        method: str,
        conversation_key: str | None = None,
        source: str | None = None,
    ) -> VerificationOutcome:
        """Count one PIN attempt for the account and decide it.

        Args:
            account_number: the account the PIN is offered for.
            pin: the PIN as entered; handed to the hasher only.
            actor: who entered it (``slack:T1/U1``, ``cli:alice``, ``customer``).
            surface: where (``slack``, ``zendesk``, ``web``, ``cli``, ``ivr``).
            method: how (``agent``, ``link``, ``reply``, ``ivr``...).
            conversation_key: the conversation the attempt belongs to, if any.
            source: where the attempt came from (client IP, caller id), for R26.

        Returns:
            ``Verified``, ``Rejected(attempts_left)``, ``LockedOut(until)`` (also for a correct
            PIN during a lockout), ``NoPinOnFile`` or ``UnknownAccount``. The last two cost one
            dummy hash, like a wrong PIN; a locked-out refusal checks no hash at all.

        Raises:
            HasherBusyError: no hashing slot came free in time (nothing was counted: fail closed).
        """
        who = Who(actor, surface, method, conversation_key, source)
        now = self._clock()
        # Phase 1, under the row lock: gate, then count the guess as a failure *before* it is
        # evaluated, so the limit holds exactly while the slow hash runs outside any
        # transaction (SQLite would otherwise serialise every verification behind argon2).
        with self._db.transaction() as session:
            reserved = self._reserve(session, account_number, now=now)
            if isinstance(reserved, Attempt) and isinstance(reserved.outcome, LockedOut):
                self._audit_attempt(session, account_number, reserved, who=who, now=now)
                return reserved.outcome
        if isinstance(reserved, Attempt):  # unknown account or no PIN: one dummy hash
            self._hasher.dummy_verify(pin)
            with self._db.transaction() as session:
                self._audit_attempt(session, account_number, reserved, who=who, now=now)
            return reserved.outcome
        # Phase 2, outside any transaction: the one argon2 computation of this attempt.
        stored, told = reserved
        result = self._hasher.verify(pin, stored)
        fresh = self._hasher.hash(pin) if result.ok and result.needs_rehash else None
        # Phase 3: a success undoes the reservation (and rehashes in place); a failure stays.
        with self._db.transaction() as session:
            if result.ok:
                row = self._settle_success(session, account_number, stored, fresh, now=now)
            else:
                account = find_account(session, account_number)
                row = session.get(Credential, account.id) if account is not None else None
            outcome: VerificationOutcome = Verified() if result.ok else told
            attempt = Attempt(outcome, True, None, row)
            self._audit_attempt(session, account_number, attempt, who=who, now=now)
        return outcome

    def _reserve(
        self, session: Session, account_number: str, *, now: datetime
    ) -> Attempt | tuple[StoredPin, Rejected | LockedOut]:
        """Gate the attempt and count it as a failure, under the credential's row lock."""
        account = find_account(session, account_number)
        row = lock_credential(session, account.id) if account is not None else None
        if account is None or row is None or row.pin_hash is None:
            missing = UnknownAccount() if account is None else NoPinOnFile()
            return Attempt(missing, False, account, row)
        state = to_state(row)
        opened = gate(state, now=now, policy=self._lockout)
        if isinstance(opened, LockedOut):
            return Attempt(opened, False, account, row)  # refused without a hash check
        counted, told = after_failure(state, now=now, policy=self._lockout)
        store_state(row, counted, now=now)
        return StoredPin(hash=row.pin_hash, key_id=row.pepper_key_id or ""), told

    def _settle_success(
        self,
        session: Session,
        account_number: str,
        stored: StoredPin,
        fresh: StoredPin | None,
        *,
        now: datetime,
    ) -> Credential | None:
        """Reset the counters after a correct PIN, unless the PIN changed meanwhile."""
        account = find_account(session, account_number)
        row = lock_credential(session, account.id) if account is not None else None
        if row is None or row.pin_hash != stored.hash:
            return None
        store_state(row, after_success(to_state(row), now=now, policy=self._lockout), now=now)
        if fresh is not None:  # retired pepper key or outdated parameters: rehash in place
            row.pin_hash, row.pepper_key_id = fresh.hash, fresh.key_id
            log.info("PIN rehashed in place", extra={"pepper_key_id": fresh.key_id})
        return row

    def _attempt(
        self, session: Session, account_number: str, pin: str, *, now: datetime
    ) -> Attempt:
        account = find_account(session, account_number)
        row = lock_credential(session, account.id) if account is not None else None
        if account is None or row is None or row.pin_hash is None:
            self._hasher.dummy_verify(pin)  # same cost as a wrong PIN (CVE-2024-39329)
            missing = UnknownAccount() if account is None else NoPinOnFile()
            return Attempt(missing, False, account, row)
        state = to_state(row)
        opened = gate(state, now=now, policy=self._lockout)
        if isinstance(opened, LockedOut):
            return Attempt(opened, False, account, row)  # refused without a hash check
        result = self._hasher.verify(
            pin, StoredPin(hash=row.pin_hash, key_id=row.pepper_key_id or "")
        )
        if not result.ok:
            counted, told = after_failure(state, now=now, policy=self._lockout)
            store_state(row, counted, now=now)
            return Attempt(told, True, account, row)
        store_state(row, after_success(state, now=now, policy=self._lockout), now=now)
        if result.needs_rehash:  # retired pepper key or outdated parameters: rehash in place
            stored = self._hasher.hash(pin)
            row.pin_hash, row.pepper_key_id = stored.hash, stored.key_id
            log.info("PIN rehashed in place", extra={"pepper_key_id": stored.key_id})
        return Attempt(Verified(), True, account, row)

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
        if not isinstance(outcome, Verified | NoPinOnFile):
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
