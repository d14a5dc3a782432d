"""Where surfaces get the PIN vault: the container's own, built once on first use."""

from __future__ import annotations

from bot.container import Container
from bot.services.pin_gate import PinVerifier

__all__ = ["resolve_vault"]


def resolve_vault(container: Container) -> PinVerifier:
    """The container's PIN vault."""
    return container.vault
