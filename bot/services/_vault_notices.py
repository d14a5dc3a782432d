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
    "pin_created": ChangeAction.CREATED,
    "pin_changed": ChangeAction.CHANGED,
    "pin_reset": ChangeAction.RESET,
}


def notice_sink(config: AppConfig) -> ChangeSink:
    """A ``ChangeSink`` that records each new PIN as a ``pin`` account change.

    The notice is decided and queued in the vault's own transaction, so it commits with the
    new PIN or not at all; ``activation_flow`` (R21) suppresses it at service start.
    """
    channels = channels_from_settings(config.settings)

    def record(session: Session, change: PinChange) -> None:
        record_change(
            session,
            AccountChange(
                kind=ChangeKind.PIN,
                account_number=change.account_number,
                occurred_at=change.occurred_at,
                source="pin_vault",
                event_id=f"{change.kind}:{uuid.uuid4().hex}",
                actor=change.actor[:128],
                action=_ACTIONS[change.kind],
                activation_flow=change.activation_flow,
            ),
            policy=config.policy,
            now=change.occurred_at,
            channels=channels,
        )

    return record
