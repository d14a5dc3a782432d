"""The PIN vault's verification core: one atomic, audited attempt per call.

A verification takes three steps. (1) In one transaction it row-locks the account's credential
(``SELECT ... FOR UPDATE``; SQLite transactions are exclusive already), asks the R16 rule and
the lockout gate *before* any hash is checked, and counts the guess as a failure. (2) Outside
any transaction it runs the one argon2 check. (3) In a second transaction a success undoes the
count (and rehashes in place), and the attempt is audited. So however many processes guess at
once, no more guesses are evaluated than the policy allows (``bot.domain.verification``).

PINs and backup answers are two *factors* over the same counters and the same steps. The secret
is handed to the hasher and nowhere else: never to a log, an audit record, an error message or
the database.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session

from bot.domain.backup_answer import (
    BACKUP_METHOD,
    BackupOutcome,
    InteractionAttempt,
    NoBackupAnswer,
    new_pin_required,
)
from bot.domain.verification import (
    LockedOut,
    NewPinRequired,
    NoPinOnFile,
    Rejected,
    UnknownAccount,
    VerificationOutcome,
    Verified,
    after_failure,
    after_success,
    gate,
)
from bot.security import StoredPin
from bot.services._vault_base import Attempt, VaultBase, Who
from bot.services._vault_store import (
    find_account,
    interaction_attempts,
    lock_credential,
    store_state,
    to_state,
)
from bot.storage.accounts import Credential

__all__ = ["Factor", "VaultCore", "Who"]

log = logging.getLogger(__name__)

Factor = Literal["pin", "backup_answer"]
"""What is checked: the PIN, or the backup answer (its normalised, labelled form)."""


class VaultCore(VaultBase):
    """Verification over one database and one hasher; ``PinVault`` adds the changes."""

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
            conversation_key: the interaction the attempt belongs to, if any (R16, R17).
            source: where the attempt came from (client IP, caller id), for R26.

        Returns:
            ``Verified``, ``Rejected(attempts_left)``, ``LockedOut(until)`` (also for a correct
            PIN during a lockout), ``NewPinRequired`` (the PIN and the backup answer both failed
            in this interaction, R16), ``NoPinOnFile`` or ``UnknownAccount``. The last two cost
            one dummy hash, like a wrong PIN; a refusal checks no hash at all.

        Raises:
            HasherBusyError: no hashing slot came free in time (nothing was counted: fail closed).
            ValueError: ``method`` is ``backup_answer``, which only backup answers may use.
        """
        if method == BACKUP_METHOD:
            raise ValueError("the method 'backup_answer' is reserved for backup answers")
        who = Who(actor, surface, method, conversation_key, source)
        outcome, _ = self._verify_factor("pin", account_number, pin, who=who)
        assert not isinstance(outcome, NoBackupAnswer)
        return outcome

    def _verify_factor(
        self, factor: Factor, account_number: str, secret: str, *, who: Who
    ) -> tuple[BackupOutcome, StoredPin | None]:
        """The three steps of one attempt; returns the outcome and, if verified, the hash."""
        now = self._clock()
        # Step 1, under the row lock: R16 and the gate, then count the guess as a failure
        # *before* it is evaluated, so the limit holds exactly while the slow hash runs
        # outside any transaction (SQLite would otherwise serialise everything behind argon2).
        with self._db.transaction() as session:
            reserved = self._reserve(session, factor, account_number, who=who, now=now)
            refused = isinstance(reserved, Attempt) and isinstance(
                reserved.outcome, LockedOut | NewPinRequired
            )
            if isinstance(reserved, Attempt) and refused:
                self._audit_attempt(session, account_number, reserved, who=who, now=now)
                return reserved.outcome, None
        if isinstance(reserved, Attempt):  # unknown account or nothing on file: a dummy hash
            self._hasher.dummy_verify(secret)
            with self._db.transaction() as session:
                self._audit_attempt(session, account_number, reserved, who=who, now=now)
            return reserved.outcome, None
        # Step 2, outside any transaction: the one argon2 computation of this attempt.
        stored, told = reserved
        result = self._hasher.verify(secret, stored)
        fresh = self._hasher.hash(secret) if result.ok and result.needs_rehash else None
        # Step 3: a success undoes the reservation (and rehashes in place); a failure stays.
        with self._db.transaction() as session:
            outcome: BackupOutcome
            if result.ok:
                row = self._settle_success(session, factor, account_number, stored, fresh, now=now)
                outcome = Verified()
            else:
                account = find_account(session, account_number)
                row = session.get(Credential, account.id) if account is not None else None
                outcome = self._after_wrong(session, factor, account_number, told, who=who)
            attempt = Attempt(outcome, True, None, row)
            self._audit_attempt(session, account_number, attempt, who=who, now=now)
        return outcome, stored if result.ok else None

    def _reserve(
        self, session: Session, factor: Factor, account_number: str, *, who: Who, now: datetime
    ) -> Attempt | tuple[StoredPin, Rejected | LockedOut]:
        """Refuse the attempt, or count it as a failure, under the credential's row lock."""
        account = find_account(session, account_number)
        row = lock_credential(session, account.id) if account is not None else None
        stored = _stored(row, factor)
        if account is None or stored is None:
            missing: BackupOutcome = UnknownAccount()
            if account is not None:
                missing = NoBackupAnswer() if factor == "backup_answer" else NoPinOnFile()
            return Attempt(missing, False, account, row)
        assert row is not None
        if self._interaction_refused(session, account_number, who=who):
            return Attempt(NewPinRequired(), False, account, row)  # R16: nothing is checked
        state = to_state(row)
        opened = gate(state, now=now, policy=self._lockout)
        if isinstance(opened, LockedOut):
            return Attempt(opened, False, account, row)  # refused without a hash check
        counted, told = after_failure(state, now=now, policy=self._lockout)
        store_state(row, counted, now=now)
        return stored, told

    def _settle_success(
        self,
        session: Session,
        factor: Factor,
        account_number: str,
        stored: StoredPin,
        fresh: StoredPin | None,
        *,
        now: datetime,
    ) -> Credential | None:
        """Reset the counters after a correct secret, unless it changed meanwhile."""
        account = find_account(session, account_number)
        row = lock_credential(session, account.id) if account is not None else None
        current = _stored(row, factor)
        if row is None or current is None or current.hash != stored.hash:
            return None
        store_state(row, after_success(to_state(row), now=now, policy=self._lockout), now=now)
        if fresh is not None and factor == "pin":  # retired key or outdated parameters
            row.pin_hash, row.pepper_key_id = fresh.hash, fresh.key_id
        elif fresh is not None:
            row.backup_answer_hash, row.backup_pepper_key_id = fresh.hash, fresh.key_id
        if fresh is not None:
            log.info(
                "secret rehashed in place", extra={"factor": factor, "pepper_key_id": fresh.key_id}
            )
        return row

    def _after_wrong(
        self,
        session: Session,
        factor: Factor,
        account_number: str,
        told: Rejected | LockedOut,
        *,
        who: Who,
    ) -> Rejected | LockedOut | NewPinRequired:
        """What a wrong secret is told: ``NewPinRequired`` once it completes R16's pair.

        A lockout it caused is reported as such (every conversation of the account must show
        it); the interaction's next attempt is then refused under R16.
        """
        if who.conversation_key is None or not isinstance(told, Rejected):
            return told
        history = interaction_attempts(
            session, account_number=account_number, conversation_key=who.conversation_key
        )
        if new_pin_required([*history, InteractionAttempt(factor, failed=True)]):
            return NewPinRequired()
        return told

    def _interaction_refused(self, session: Session, account_number: str, *, who: Who) -> bool:
        """Whether R16 already refuses this interaction (PIN and backup answer both failed)."""
        if who.conversation_key is None:
            return False
        return new_pin_required(
            interaction_attempts(
                session, account_number=account_number, conversation_key=who.conversation_key
            )
        )

    def _attempt(
        self, session: Session, account_number: str, pin: str, *, now: datetime
    ) -> Attempt:
        """A PIN attempt decided inside the caller's transaction (``change``)."""
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


def _stored(row: Credential | None, factor: Factor) -> StoredPin | None:
    """The stored hash of ``factor`` on the row, or ``None`` when none is on file."""
    if row is None:
        return None
    if factor == "pin":
        if row.pin_hash is None:
            return None
        return StoredPin(hash=row.pin_hash, key_id=row.pepper_key_id or "")
    if row.backup_answer_hash is None:
        return None
    return StoredPin(hash=row.backup_answer_hash, key_id=row.backup_pepper_key_id or "")
