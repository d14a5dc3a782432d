"""Registers every surface's inbox and outbox handlers on the worker registry.

This is the one ``cpni_guard.handlers`` entry point: ``bot`` finds it by entry point, never by
import, so the core stays free of adapters. Each surface contributes one ``register`` function.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.container import Container
from handlers import alerts, notify, slack, sonar, vault_otp, zendesk

__all__ = ["SURFACES", "register_all"]

#: One ``register(container)`` per surface. Append new surfaces here.
SURFACES: list[Callable[[Container], None]] = [
    notify.register,  # account-change notices (issue 7): email and SMS
    vault_otp.register,  # PIN reset one-time codes (notify.otp) by SMS or email (issue 3)
    slack.register,  # Slack: inbox screening and slack.* effects (issue 5)
    zendesk.register,  # Zendesk: webhooks, screening, notes, redaction (issue 6)
    sonar.register,  # Sonar: webhook items, notes and the periodic tick (issue 9)
    alerts.register,  # incident alerts to Slack and email (issue 8)
    # --- surfaces: append below this line ---
]


def register_all(container: Container) -> None:
    """Let every surface register its handlers on ``container.registry``."""
    for register in SURFACES:
        register(container)
