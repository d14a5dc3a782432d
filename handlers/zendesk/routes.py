"""All Zendesk HTTP routes: the webhook receiver and the sidebar API."""

from __future__ import annotations

from fastapi import APIRouter

from bot.container import Container
from handlers.zendesk import sidebar, webhook

__all__ = ["router"]


def router(container: Container) -> APIRouter:
    """``POST /zendesk/webhook`` and ``/zendesk/sidebar/...`` for ``container``."""
    api = APIRouter()
    api.include_router(webhook.router(container))
    api.include_router(sidebar.router(container))
    return api
