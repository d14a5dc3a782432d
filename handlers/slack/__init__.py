"""The Slack surface: bolt app, listeners, Block Kit, gateway, routes and outbox handlers.

``router(container)`` mounts ``/slack/events`` (and the OAuth routes) on the web app;
``register(container)`` registers the ``slack`` inbox handler, the ``slack.*`` outbox
handlers and the hourly purge of old message receipts on the worker registry.
"""

from __future__ import annotations

from typing import Any

from bot.container import Container
from bot.worker import ClaimedItem
from handlers.slack import effects
from handlers.slack.ingest import SOURCE, handle_inbound, purge_receipts
from handlers.slack.routes import router
from handlers.slack.runtime import runtime_for

__all__ = ["OUTBOX_KINDS", "register", "router"]

#: How often each worker deletes old ``slack_message_receipts`` rows.
RECEIPT_PURGE_SECONDS = 3600.0
OUTBOX_KINDS = ("slack.sync_note", "slack.pin", "slack.post_ephemeral", "slack.publish_home")


def register(container: Container) -> None:
    """Register the Slack inbox and outbox handlers on ``container.registry``."""
    rt = runtime_for(container)
    registry = container.registry

    @registry.on_inbound(SOURCE)
    def slack_inbound(session: Any, item: ClaimedItem) -> None:
        handle_inbound(rt, session, item)

    handlers = {
        "slack.sync_note": effects.sync_note,
        "slack.pin": effects.pin_note,
        "slack.post_ephemeral": effects.post_ephemeral,
        "slack.publish_home": effects.publish_home,
    }
    for kind, func in handlers.items():
        registry.on_effect(kind)(_bind(rt, func))
    registry.every("slack.purge_receipts", seconds=RECEIPT_PURGE_SECONDS)(purge_receipts)


def _bind(rt: Any, func: Any) -> Any:
    def perform(item: ClaimedItem) -> dict[str, Any] | None:
        return func(rt, item)  # type: ignore[no-any-return]

    perform.__name__ = func.__name__
    return perform
