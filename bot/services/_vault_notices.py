"""The vault's account-change events, handed to the notifications service (R20, R21)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from bot.config import AppConfig
from bot.domain.notifications import AccountChange, ChangeAction, ChangeKind
from bot.services._vault_types import ChangeSink, PinChange
from bot.services.notices import channels_from_settings, record_change

__all__ = ["notice_sink"]

_ACTIONS = {
    "pin_created": (ChangeKind.PIN, ChangeAction.CREATED),
    "pin_changed": (ChangeKind.PIN, ChangeAction.CHANGED),
    "pin_reset": (ChangeKind.PIN, ChangeAction.RESET),
    "backup_answer_created": (ChangeKind.BACKUP_ANSWER, ChangeAction.CREATED),
    "backup_answer_changed": (ChangeKind.BACKUP_ANSWER, ChangeAction.CHANGED),
}


def notice_sink(config: AppConfig) -> ChangeSink:
    """A ``ChangeSink`` recording each new PIN or backup answer as an account change.

    The kinds are ``pin`` and ``backup_answer`` (R4b: a backup-authentication answer created
    or changed is notified like a PIN).

    The notice is decided and queued in the vault's own transaction, so it commits with the
    new PIN or not at all; ``activation_flow`` (R21) suppresses it at service start.
    """
    channels = channels_from_settings(config.settings)

    def record(session: Session, change: PinChange) -> None:
        kind, action = _ACTIONS[change.kind]
        record_change(
            session,
            AccountChange(
                kind=kind,
                account_number=change.account_number,
                occurred_at=change.occurred_at,
                source="pin_vault",
                event_id=f"{change.kind}:{uuid.uuid4().hex}",
                actor=change.actor[:128],
                action=action,
                activation_flow=change.activation_flow,
            ),
            policy=config.policy,
            now=change.occurred_at,
            channels=channels,
        )

    return record
