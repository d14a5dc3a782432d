"""The Sonar connector: GraphQL client, account sync, change webhooks, PIN migration, notes.

``register(container)`` wires the worker handlers (when ``SONAR_URL`` is set) and offers the
gateway factory to the command line as ``container.options["sonar.gateway"]``, since the core's
commands may not import adapters. ``router(container)`` serves the webhook.
"""

from __future__ import annotations

from fastapi import APIRouter

from bot.config import Settings
from bot.container import Container
from handlers.sonar.client import SonarClient, TokenBucket
from handlers.sonar.gateway import SonarGateway
from handlers.sonar.webhooks import router as _webhook_router
from handlers.sonar.worker import register_handlers

__all__ = ["GATEWAY_OPTION", "build_gateway", "register", "router"]

GATEWAY_OPTION = "sonar.gateway"


def build_gateway(settings: Settings) -> SonarGateway | None:
    """A gateway from ``SONAR_URL`` / ``SONAR_API_TOKEN``, or ``None`` when not configured."""
    if not settings.sonar_url or settings.sonar_api_token is None:
        return None
    client = SonarClient(
        settings.sonar_url,
        settings.sonar_api_token.get_secret_value(),
        bucket=TokenBucket(settings.sonar_requests_per_minute),
    )
    return SonarGateway(client, page_size=settings.sonar_page_size)


def register(container: Container) -> None:
    """Register the Sonar handlers and expose the gateway factory to commands."""

    def factory() -> SonarGateway | None:
        return build_gateway(container.config.settings)

    container.options.setdefault(GATEWAY_OPTION, factory)
    gateway = container.options[GATEWAY_OPTION]()
    if gateway is not None:
        register_handlers(container, gateway)


def router(container: Container) -> APIRouter:
    """The webhook routes."""
    return _webhook_router(container)
