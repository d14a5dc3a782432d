"""The Zendesk surface: signed webhooks, ticket screening, notes and tags, the sidebar API."""

from __future__ import annotations

from handlers.zendesk.register import register
from handlers.zendesk.routes import router

__all__ = ["register", "router"]
