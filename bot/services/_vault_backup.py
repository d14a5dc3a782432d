"""Backup-authentication answers: set or change one, verify one (R4b, R15, R16, R20, R21).

An answer replies to one of the policy's configured ``backup_questions`` (R15 vets them). It is
normalised (``bot.domain.backup_answer``) and hashed exactly like a PIN: argon2id over the HMAC
pepper, the key id stored beside it; never stored, logged or audited in clear. Setting or
changing it needs the current PIN (an unauthenticated caller must not plant an answer and then
use it), and records a ``backup_answer`` account change for the customer notice in the same
transaction, except a first answer chosen at service start (R21).

Verifying an answer is one attempt under the same counters and the same three steps as a PIN
(``_vault_core``), audited as ``pin_verify`` with method ``backup_answer``. When the PIN and the
answer have both failed in one interaction, the vault refuses the interaction with
``NewPinRequired`` (R16).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.domain.audit import AuditAction
from bot.domain.backup_answer import (
    BACKUP_METHOD,
    BackupOutcome,
    answer_material,
    check_answer,
    normalise_answer,
)
from bot.domain.backup_question import BackupQuestion, configured_questions, find_question
from bot.domain.verification import Verified
from bot.security import StoredPin
from bot.services._vault_core import Who
from bot.services._vault_store import find_account, lock_credential
from bot.services._vault_types import ChangeLabel, PinUpdate, PinUpdateStatus
from bot.services._vault_writes import STATUS_FOR, VaultWrites
from bot.storage.accounts import Credential

__all__ = ["BackupAnswers"]

_ACTION = AuditAction.BACKUP_ANSWER_SET


class BackupAnswers(VaultWrites):
    """Backup questions and answers: list, ask, set or change, verify."""

    def backup_questions(self) -> tuple[BackupQuestion, ...]:
        """The configured backup questions with their stable ids (R15), in order."""
        return configured_questions(self._backup_questions)

    def backup_question(self, account_number: str) -> BackupQuestion | None:
        """The question to ask for the account's backup answer.

        Returns:
            ``None`` when the account is unknown, has no backup answer, or its question is no
            longer configured (the answer can then still be checked, but not asked for).
        """
        with self._db.transaction() as session:
            account = find_account(session, account_number)
            row = session.get(Credential, account.id) if account is not None else None
            wanted = row.backup_question_id if row is not None else None
        if wanted is None:
            return None
        return next((q for q in self.backup_questions() if q.id == wanted), None)

    def set_backup_answer(
        self,
        account_number: str,
        question: str,
        current_pin: str,
        answer: str,
        *,
        actor: str,
        surface: str,
        at_service_start: bool = False,
    ) -> PinUpdate:
        """Set or replace the account's backup answer, after checking its current PIN.

        Args:
            account_number: the account.
            question: a configured question's id or 1-based position.
            current_pin: the account's PIN; checking it counts as an attempt.
            answer: the customer's answer (normalised, then hashed like a PIN).
            actor: who sets it.
            surface: where.
            at_service_start: chosen while initiating service: no notice (R21). Honoured only
                for a first answer; replacing an answer is always notified (R20).

        Returns:
            ``SET``; ``UNKNOWN_QUESTION`` or ``REFUSED_BY_POLICY`` (an empty or overlong
            answer) before anything is checked; ``NOT_AUTHENTICATED``, ``NO_PIN_ON_FILE`` or
            ``UNKNOWN_ACCOUNT`` with the current PIN's verification outcome.
        """
        who = Who(actor, surface, "pin")
        chosen = find_question(self._backup_questions, question)
        problem = check_answer(answer)
        if chosen is None or problem is not None:
            return self._refuse_early(account_number, who, chosen, problem)
        outcome, stored = self._verify_factor("pin", account_number, current_pin, who=who)
        if not isinstance(outcome, Verified) or stored is None:
            status = STATUS_FOR.get(type(outcome), PinUpdateStatus.NOT_AUTHENTICATED)
            with self._db.transaction() as session:
                self._event(session, who, _ACTION, account_number, str(status), now=self._clock())
            detail = "The current PIN was not accepted."
            return PinUpdate(status, verification=outcome, detail=detail)
        fresh = self._hasher.hash(answer_material(answer))  # outside any transaction
        with self._db.transaction() as session:
            return self._store_answer(
                session,
                who,
                account_number,
                pin=stored,
                answer=fresh,
                question_id=chosen.id,
                at_service_start=at_service_start,
                verification=outcome,
            )

    def verify_backup_answer(
        self,
        account_number: str,
        answer: str,
        *,
        actor: str,
        surface: str,
        conversation_key: str | None = None,
        source: str | None = None,
    ) -> BackupOutcome:
        """Count one backup-answer attempt for the account and decide it.

        The same counters, lockout and three steps as ``verify`` (a PIN), audited as
        ``pin_verify`` with method ``backup_answer``.

        Args:
            account_number: the account.
            answer: the answer as given; normalised, then handed to the hasher only.
            actor: who entered it.
            surface: where.
            conversation_key: the interaction (R16: a failed PIN and a failed answer in it
                refuse it with ``NewPinRequired``).
            source: where the attempt came from, for R26.

        Returns:
            ``Verified``, ``Rejected``, ``LockedOut``, ``NewPinRequired``, ``NoBackupAnswer``
            or ``UnknownAccount`` (the last two cost one dummy hash).

        Raises:
            ValueError: an empty answer (nothing is counted).
            HasherBusyError: no hashing slot came free in time (nothing was counted).
        """
        if not normalise_answer(answer):
            raise ValueError("the backup answer is empty")
        who = Who(actor, surface, BACKUP_METHOD, conversation_key, source)
        outcome, _ = self._verify_factor(
            "backup_answer", account_number, answer_material(answer), who=who
        )
        return outcome

    def _refuse_early(
        self,
        account_number: str,
        who: Who,
        chosen: BackupQuestion | None,
        problem: str | None,
    ) -> PinUpdate:
        if chosen is None:
            status = PinUpdateStatus.UNKNOWN_QUESTION
            known = ", ".join(f"{n}: {q.id}" for n, q in enumerate(self.backup_questions(), 1))
            detail = f"No configured backup question has this id ({known or 'none configured'})."
        else:
            status, detail = PinUpdateStatus.REFUSED_BY_POLICY, problem or ""
        with self._db.transaction() as session:
            return self._refuse(session, who, _ACTION, account_number, status, detail=detail)

    def _store_answer(
        self,
        session: Session,
        who: Who,
        account_number: str,
        *,
        pin: StoredPin,
        answer: StoredPin,
        question_id: str,
        at_service_start: bool,
        verification: Verified,
    ) -> PinUpdate:
        account = find_account(session, account_number, lock=True)
        row = lock_credential(session, account.id) if account is not None else None
        if account is None or row is None or row.pin_hash != pin.hash:
            detail = "The PIN changed while the answer was being set; try again."
            status = PinUpdateStatus.NOT_AUTHENTICATED
            return self._refuse(session, who, _ACTION, account_number, status, detail=detail)
        replaced = row.backup_answer_hash is not None
        row.backup_question_id = question_id
        row.backup_answer_hash, row.backup_pepper_key_id = answer.hash, answer.key_id
        row.updated_at = self._clock()
        activation = at_service_start and not replaced
        details = {"question_id": question_id, "replaced": replaced, "activation_flow": activation}
        self._event(
            session, who, _ACTION, account_number, "set", now=self._clock(), details=details
        )
        kind: ChangeLabel = "backup_answer_changed" if replaced else "backup_answer_created"
        self._emit(session, who, account, kind, activation_flow=activation)
        return PinUpdate(PinUpdateStatus.SET, verification=verification)
