"""The customer self-service PIN page (``/v/{token}``)."""

from __future__ import annotations

from handlers.verify_page.page import router

__all__ = ["router"]
