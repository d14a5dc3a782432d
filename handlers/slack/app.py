"""The bolt ``AsyncApp`` factory and the inbox middleware.

``process_before_response=True``: bolt answers Slack only when the listener has returned, so
"committed before acknowledged" holds for every event, and *Verify PIN* calls ``views.open``
before the 200 goes out (inside the trigger's 3 s). Every listener on that path is short: one
database transaction in a bounded pool, or one Slack call.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt import BoltResponse
from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack.commands import register_command
from handlers.slack.ingest import accept, to_record
from handlers.slack.listeners import register_listeners
from handlers.slack.oauth import AsyncInstallationStoreAdapter, AsyncStateStoreAdapter
from handlers.slack.runtime import SlackRuntime

__all__ = ["BOT_SCOPES", "METHOD_SCOPES", "SDK_LOG", "build_app"]

log = logging.getLogger(__name__)
#: The Web API clients of the ack path log whole request and response bodies at DEBUG: the
#: secure link's one-time URL (chat.postEphemeral) and the new bot token (oauth.v2.access).
#: Their logger is pinned at INFO whatever the root level is; errors are still logged.
SDK_LOG = logging.getLogger("handlers.slack.sdk")
SDK_LOG.setLevel(logging.INFO)

#: The bot scopes the app requests (manifest.yaml lists the same; a test compares them).
BOT_SCOPES = (
    "app_mentions:read",
    "channels:history",
    "groups:history",
    "chat:write",
    "commands",
    "pins:write",
    "usergroups:read",
)
#: Every Web API method the surface calls, with the scope it needs (None: no scope needed).
METHOD_SCOPES: dict[str, str | None] = {
    "auth.test": None,
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "chat.postEphemeral": "chat:write",
    "pins.add": "pins:write",
    "views.open": None,
    "views.publish": None,
    "conversations.replies": "channels:history",
    "usergroups.users.list": "usergroups:read",
    "oauth.v2.access": None,
}


def _inbox_middleware(
    rt: SlackRuntime,
) -> Callable[..., Awaitable[BoltResponse | None]]:
    async def commit_events_to_inbox(
        body: dict[str, Any],
        context: AsyncBoltContext,
        next: Callable[[], Awaitable[Any]],
    ) -> BoltResponse | None:
        """Store an event before it is acknowledged; drop redeliveries with a plain 200."""
        if body.get("type") != "event_callback":
            return await next()  # type: ignore[no-any-return]
        record = to_record(body, bot_user_id=context.bot_user_id, bot_id=context.bot_id)
        if record is None:
            return BoltResponse(status=200, body="")
        event_id = str(body.get("event_id") or "")
        if not event_id:
            return BoltResponse(status=400, body="event_id missing")
        if not await rt.run(accept, rt, record, event_id=event_id):
            return BoltResponse(status=200, body="")
        rt.container.wake_workers()
        return await next()  # type: ignore[no-any-return]

    return commit_events_to_inbox


def _auth_kwargs(rt: SlackRuntime) -> dict[str, Any]:
    s = rt.settings
    token = s.slack_bot_token.get_secret_value() if s.slack_bot_token else None
    client = AsyncWebClient(token=token, base_url=rt.gateway.base_url, logger=SDK_LOG)
    if rt.installation_store is None or rt.state_store is None or not s.slack_client_secret:
        return {"client": client}
    store = AsyncInstallationStoreAdapter(rt.installation_store)
    return {
        "client": AsyncWebClient(base_url=rt.gateway.base_url, logger=SDK_LOG),
        "installation_store": store,
        "oauth_settings": AsyncOAuthSettings(
            client_id=s.slack_client_id,
            client_secret=s.slack_client_secret.get_secret_value(),
            scopes=list(BOT_SCOPES),
            installation_store=store,
            state_store=AsyncStateStoreAdapter(rt.state_store),
            install_path="/slack/install",
            redirect_uri_path="/slack/oauth_redirect",
        ),
    }


def build_app(rt: SlackRuntime, *, socket_mode: bool = False) -> AsyncApp:
    """The bolt app for ``rt``, with every listener registered."""
    secret = rt.settings.slack_signing_secret
    app = AsyncApp(
        name="cpni-guard",
        signing_secret=secret.get_secret_value() if secret else None,
        request_verification_enabled=not (socket_mode and secret is None),
        process_before_response=True,
        # Self-filtering happens in ingest.to_record instead: bolt's middleware would also drop
        # the deletion of the bot's own note (it reads the user of previous_message).
        ignoring_self_events_enabled=False,
        logger=log,
        **_auth_kwargs(rt),
    )
    app.middleware(_inbox_middleware(rt))
    register_listeners(app, rt)
    register_command(app, rt)
    return app
