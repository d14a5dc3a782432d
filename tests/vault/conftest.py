"""Fixtures for the PIN vault tests: a pepper ring and a vault factory."""

from __future__ import annotations

from typing import Any

import pytest
from vault_support import CountingHasher, VaultFactory, pepper_entry

from bot.domain.lockout_policy import LockoutPolicy
from bot.security import PepperRing, parse_pepper_keys
from bot.services.pin_vault import PinVault
from bot.storage.db import Database

from fakes import FrozenClock


@pytest.fixture
def ring() -> PepperRing:
    """The current pepper ring: key ``k1``."""
    return parse_pepper_keys(pepper_entry("k1", 1))


@pytest.fixture
def make_vault(database: Database, clock: FrozenClock, ring: PepperRing) -> VaultFactory:
    """Build a vault over the test database (cheapest argon2, frozen clock)."""

    def build(**overrides: Any) -> PinVault:
        pepper = overrides.pop("pepper", ring)
        hasher = overrides.pop("hasher", None) or CountingHasher(pepper)
        options: dict[str, Any] = {
            "lockout": LockoutPolicy(),
            "clock": clock,
            "pepper": pepper,
        }
        options.update(overrides)
        return PinVault(database, hasher, **options)

    return build
