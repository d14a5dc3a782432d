"""Shared steps of the vault's write use cases: PIN rules, storing a PIN, refusals, notices."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from sqlalchemy.orm import Session

from bot.domain.audit import AuditAction
from bot.domain.pin_policy import check_pin
from bot.domain.verification import (
    LockedOut,
    NewPinRequired,
    NoPinOnFile,
    UnknownAccount,
    after_reenrolment,
)
from bot.services._vault_core import VaultCore, Who
from bot.services._vault_store import account_facts, store_state, to_state
from bot.services._vault_types import ChangeLabel, PinChange, PinUpdate, PinUpdateStatus
from bot.storage.accounts import Account, Credential

__all__ = ["DETAIL", "STATUS_FOR", "VaultWrites"]

log = logging.getLogger(__name__)

_POLICY = PinUpdateStatus.REFUSED_BY_POLICY

#: The update status of a current-PIN check that did not verify.
STATUS_FOR: dict[type, PinUpdateStatus] = {
    UnknownAccount: PinUpdateStatus.UNKNOWN_ACCOUNT,
    NoPinOnFile: PinUpdateStatus.NO_PIN_ON_FILE,
    LockedOut: PinUpdateStatus.NOT_AUTHENTICATED,
    NewPinRequired: PinUpdateStatus.NOT_AUTHENTICATED,
}

#: The operator's sentence for a refusal (never quotes a PIN, code or answer).
DETAIL = {
    PinUpdateStatus.UNKNOWN_ACCOUNT: "No account has this number.",
    PinUpdateStatus.ALREADY_ENROLLED: (
        "The account already has a PIN; change it with the current PIN, or reset it."
    ),
    PinUpdateStatus.NOT_AUTHENTICATED: (
        "The one-time code is wrong, expired or already used; send a new one."
    ),
    PinUpdateStatus.NO_PIN_ON_FILE: "The account has no PIN on file; set one first.",
}


class VaultWrites(VaultCore):
    """The steps ``enrol``, ``change``, ``reset`` and the backup-answer use cases share."""

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
        detail: str | None = None,
    ) -> PinUpdate:
        self._event(
            session, who, action, account_number, str(status), now=self._clock(), details=details
        )
        return PinUpdate(status, detail=detail if detail is not None else DETAIL[status])

    def _emit(
        self,
        session: Session,
        who: Who,
        account: Account,
        kind: ChangeLabel,
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
