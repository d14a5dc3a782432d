"""Everything the Zendesk handlers share, built once from the container."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.container import Container
from bot.domain.detection import Detector
from bot.services.pin_gate import PinVerifier
from handlers.zendesk.gateway import GatewayConfig, ZendeskGateway

__all__ = ["SURFACE", "ZendeskContext", "ticket_id_of"]

SURFACE = "zendesk"


def ticket_id_of(key: str) -> str:
    """The ticket id in a conversation key ``zendesk:{subdomain}/{ticket_id}``."""
    return key.rsplit("/", 1)[-1]


@dataclass
class ZendeskContext:
    """The container plus the Zendesk settings, read once."""

    container: Container

    @property
    def settings(self):  # type: ignore[no-untyped-def]  # noqa: ANN201 (pydantic Settings)
        """The application settings."""
        return self.container.config.settings

    @property
    def subdomain(self) -> str:
        """The Zendesk subdomain (``acme`` for acme.zendesk.com)."""
        return str(self.settings.zendesk_subdomain or "")

    @property
    def configured(self) -> bool:
        """Whether the API credentials are set (ZENDESK_SUBDOMAIN, _EMAIL, _API_TOKEN)."""
        s = self.settings
        return bool(s.zendesk_subdomain and s.zendesk_email and s.zendesk_api_token)

    def key_for(self, ticket_id: str) -> str:
        """The conversation key of a ticket."""
        return f"{SURFACE}:{self.subdomain}/{ticket_id}"

    def gateway(self) -> ZendeskGateway:
        """A fresh gateway (one per unit of work: zenpy's rate-limit budget never refills)."""
        s = self.settings
        if not self.configured:
            raise RuntimeError("Zendesk is not configured (ZENDESK_SUBDOMAIN/EMAIL/API_TOKEN)")
        return ZendeskGateway(
            GatewayConfig(
                subdomain=s.zendesk_subdomain,
                email=s.zendesk_email,
                api_token=s.zendesk_api_token.get_secret_value(),
                api_url=s.zendesk_api_url,
                ratelimit_budget=s.zendesk_ratelimit_budget,
            )
        )

    def now(self) -> datetime:
        """The container clock's now."""
        return self.container.clock()

    @property
    def ttl_minutes(self) -> int:
        """How long a verification unlocks a ticket (policy ``verification.ttl_minutes``)."""
        return int(self.container.config.policy.verification.ttl_minutes)

    @property
    def link_ttl_minutes(self) -> int:
        """How long a self-service link lives (policy ``verification.link_ttl_minutes``)."""
        return int(self.container.config.policy.verification.link_ttl_minutes)

    @property
    def detector(self) -> Detector:
        """The compiled detector for the configured policy."""
        return self.container.detector

    def vault(self) -> PinVerifier:
        """The PIN vault."""
        return self.container.vault

    def public_link(self, path: str) -> str:
        """An absolute URL on the bot's public address."""
        return self.settings.public_url.rstrip("/") + path
