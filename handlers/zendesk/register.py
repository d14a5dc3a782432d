"""Registers the Zendesk inbox handler and outbox effects on the worker registry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from bot.container import Container
from bot.worker import ClaimedItem
from handlers.zendesk import effects, inbox
from handlers.zendesk.context import ZendeskContext

__all__ = ["EFFECTS", "register"]

#: Outbox effect kinds and the functions that perform them.
EFFECTS: dict[str, Callable[[ZendeskContext, ClaimedItem], dict[str, Any] | None]] = {
    "zendesk.screen": inbox.screen_ticket,
    "zendesk.sync_note": effects.sync_note,
    "zendesk.customer_prompt": effects.customer_prompt_effect,
    "zendesk.pin_reply": effects.pin_reply_effect,
    "zendesk.redact": effects.redact_effect,
    "zendesk.outcome_note": effects.outcome_note_effect,
}


def _bind(
    ctx: ZendeskContext, func: Callable[[ZendeskContext, ClaimedItem], dict[str, Any] | None]
) -> Callable[[ClaimedItem], dict[str, Any] | None]:
    def perform(item: ClaimedItem) -> dict[str, Any] | None:
        return func(ctx, item)

    return perform


def register(container: Container) -> None:
    """Register the ``zendesk`` inbox source and every ``zendesk.*`` effect."""
    ctx = ZendeskContext(container)

    def on_event(session: Session, item: ClaimedItem) -> None:
        inbox.handle_event(ctx, session, item)

    container.registry.on_inbound("zendesk")(on_event)
    for kind, func in EFFECTS.items():
        container.registry.on_effect(kind)(_bind(ctx, func))
