"""Registers every surface's inbox and outbox handlers on the worker registry.

This is the one ``cpni_guard.handlers`` entry point: ``bot`` finds it by entry point, never by
import, so the core stays free of adapters. Each surface contributes one ``register`` function.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.container import Container

__all__ = ["SURFACES", "register_all"]

#: One ``register(container)`` per surface. Append new surfaces here.
SURFACES: list[Callable[[Container], None]] = [
    # --- surfaces: append below this line ---
]


def register_all(container: Container) -> None:
    """Let every surface register its handlers on ``container.registry``."""
    for register in SURFACES:
        register(container)
