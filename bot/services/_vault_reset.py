"""PIN resets (R13, R14, R16): a one-time code to a contact of record, or in-person photo ID.

A reset is re-enrolment: it clears every counter and lock, and ends an R16 refusal. It is
allowed only after authentication that uses no biographical or account data.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.domain.audit import AuditAction
from bot.errors import CpniBotError
from bot.services import _vault_otp as otp
from bot.services._vault_core import Who
from bot.services._vault_store import find_account, lock_credential
from bot.services._vault_types import PinUpdate, PinUpdateStatus, ResetCode
from bot.services._vault_writes import VaultWrites
from bot.storage.accounts import Account
from bot.storage.vault import PinResetCode

__all__ = ["PinResets"]

_RESET_METHODS = {"otp": "otp_to_record", "in_person_id": "photo_id"}
_CODE_SENT = "pin_reset_code_sent"


class PinResets(VaultWrites):
    """``start_reset_otp`` and ``reset``."""

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
        with self._db.transaction() as session:
            account = find_account(session, account_number, lock=True)
            if account is None:
                return self._refuse(session, who, action, account_number, _UNKNOWN, details=details)
            row = lock_credential(session, account.id)
            code_row = None
            if method == "otp":
                code_row = self._check_code(session, who, account, code or "")
                if code_row is None:
                    return self._refuse(
                        session, who, action, account_number, _NO_AUTH, details=details
                    )
            refused = self._check_policy(
                session, who, action, account, pin=new_pin, details=details
            )
            if refused is not None:
                return refused
            if code_row is not None:
                code_row.state, code_row.used_at = "used", self._clock()
            self._store_new_pin(
                session, who, action, account, row=row, pin=new_pin, details=details
            )
            self._emit(session, who, account, "pin_reset")
        return PinUpdate(PinUpdateStatus.SET)

    def _check_code(
        self, session: Session, who: Who, account: Account, code: str
    ) -> PinResetCode | None:
        """The account's matching open code, or ``None`` (a failure, for R26)."""
        now = self._clock()
        code_row = otp.check_code(
            session,
            account,
            code,
            hasher=self._hasher,
            now=now,
            max_attempts=self._otp_max_attempts,
        )
        if code_row is None:
            self._note_failure(session, account.account_number, who=who, now=now)
        return code_row


_UNKNOWN = PinUpdateStatus.UNKNOWN_ACCOUNT
_NO_AUTH = PinUpdateStatus.NOT_AUTHENTICATED


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
