"""Helpers for the PIN vault tests: test data, pepper entries, a counting hasher.

Test modules import these from here (never from ``conftest``, whose name is ambiguous).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bot.security import (
    TEST_PARAMETERS,
    PepperRing,
    PinHasher,
    StoredPin,
    VerifyResult,
)
from bot.services.pin_vault import PinVault
from bot.storage.accounts import Account, EmailAddress, PhoneNumber, PostalAddress
from bot.storage.db import Database

from fakes import FrozenClock

ACCOUNT = "ACC-2001"
SERVICE_PHONE = "+15415550187"
STREET = "742 Evergreen Terrace"
ZIP = "97403"


def pepper_entry(key_id: str, fill: int) -> str:
    """A deterministic test pepper entry ``id:base64`` (32 bytes of ``fill``)."""
    return f"{key_id}:{base64.b64encode(bytes([fill]) * 32).decode()}"


class CountingHasher(PinHasher):
    """A cheapest-profile hasher that counts real and dummy verifications."""

    def __init__(self, ring: PepperRing, **kwargs: Any) -> None:
        super().__init__(ring, parameters=kwargs.pop("parameters", TEST_PARAMETERS), **kwargs)
        self.verifications = 0
        self.dummies = 0

    def verify(self, pin: str, stored: StoredPin) -> VerifyResult:
        self.verifications += 1
        return super().verify(pin, stored)

    def dummy_verify(self, pin: str) -> VerifyResult:
        self.dummies += 1
        return super().dummy_verify(pin)


def add_account(database: Database, clock: FrozenClock, number: str = ACCOUNT) -> None:
    """An account with a telephone number of record, an address and an e-mail of record."""
    long_ago = clock() - timedelta(days=400)
    with database.transaction() as session:
        account = Account(
            account_number=number, name="Test Customer", created_at=long_ago, updated_at=long_ago
        )
        session.add(account)
        session.flush()
        session.add_all(
            [
                PhoneNumber(
                    account_id=account.id,
                    e164=SERVICE_PHONE,
                    kind="service",
                    associated_since=long_ago,
                ),
                PostalAddress(
                    account_id=account.id,
                    kind="service",
                    line1=STREET,
                    city="Eugene",
                    postal_code=ZIP,
                    country="US",
                    associated_since=long_ago,
                ),
                EmailAddress(
                    account_id=account.id,
                    address=f"{number.lower()}@example.org",
                    associated_since=long_ago,
                ),
            ]
        )


VaultFactory = Callable[..., PinVault]
