"""The FastAPI routes of the Slack surface and the Socket Mode runner.

``POST /slack/events`` takes events, interactivity and the slash command alike (bolt's single
Request URL); ``GET /slack/install`` and ``/slack/oauth_redirect`` serve the multi-workspace
install when ``SLACK_CLIENT_ID`` is set. With ``cpni-guard serve --slack-socket-mode`` and
``SLACK_APP_TOKEN`` the same app also runs over Socket Mode, started with the web app.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Request, Response
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from bot.container import Container
from handlers.slack.app import SDK_LOG, build_app
from handlers.slack.runtime import runtime_for

__all__ = ["router"]

log = logging.getLogger(__name__)


def _socket_mode_lifespan(app: AsyncApp, app_token: str) -> Any:
    """Connect over Socket Mode when the web app starts; disconnect when it stops.

    The handler is built here, inside the server's event loop: slack_sdk's aiohttp client
    creates its session and its message task on the running loop, so building it when the
    routes are assembled fails (there is no loop yet). Connecting runs as a task, so the web
    app (health checks, pages) starts even while Slack is unreachable; slack_sdk retries.
    """

    @asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        # SDK_LOG (pinned at INFO): the client logs each received frame, message text included,
        # at DEBUG.
        handler = AsyncSocketModeHandler(app, app_token, logger=SDK_LOG)
        connecting = asyncio.create_task(handler.connect_async())  # type: ignore[no-untyped-call]
        log.info("slack socket mode starting")
        try:
            yield
        finally:
            await handler.close_async()  # type: ignore[no-untyped-call]
            connecting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await connecting

    return lifespan


def router(container: Container) -> APIRouter:
    """The Slack routes for ``container`` (none when Slack is not configured)."""
    settings = container.config.settings
    socket_mode = bool(container.options.get("slack_socket_mode"))
    app_token = settings.slack_app_token.get_secret_value() if settings.slack_app_token else None
    if settings.slack_signing_secret is None and not (socket_mode and app_token):
        return APIRouter()
    rt = runtime_for(container)
    app = build_app(rt, socket_mode=socket_mode)
    lifespan = None
    if socket_mode and not app_token:
        log.warning("slack socket mode requested without SLACK_APP_TOKEN; not connecting")
    if socket_mode and app_token:
        lifespan = _socket_mode_lifespan(app, app_token)
    api = APIRouter(lifespan=lifespan) if lifespan else APIRouter()
    if settings.slack_signing_secret is None:
        return api
    handler = AsyncSlackRequestHandler(app)

    @api.post("/slack/events", include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        return await handler.handle(request)

    if rt.installation_store is not None:

        @api.get("/slack/install", include_in_schema=False)
        async def slack_install(request: Request) -> Response:
            return await handler.handle(request)

        @api.get("/slack/oauth_redirect", include_in_schema=False)
        async def slack_oauth_redirect(request: Request) -> Response:
            return await handler.handle(request)

    return api
