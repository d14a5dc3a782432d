"""In-memory fakes for the core's ports (style rule 8)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.verification import LockedOut, NoPinOnFile, Rejected, UnknownAccount, Verified


class FrozenClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 2, 15, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move the clock forward by a ``timedelta(**delta)``."""
        self.now += timedelta(**delta)
        return self.now


class FakeVault:
    """An in-memory PIN vault: one PIN per account, lockout after ``limit`` failures.

    It implements the ``PinVerifier`` port the PIN gate uses; the real vault's own contract is
    tested in tests/vault/.
    """

    def __init__(self, pins: dict[str, str], *, limit: int = 3, clock: FrozenClock | None = None):
        self.pins = dict(pins)
        self.limit = limit
        self.failures: dict[str, int] = {}
        self.clock = clock or FrozenClock()
        self.calls: list[tuple[str, str, str]] = []

    def verify(
        self,
        account_number: str,
        pin: str,
        *,
        actor: str,
        surface: str,
        method: str,
        conversation_key: str | None = None,
    ) -> object:
        self.calls.append((account_number, actor, method))
        if account_number not in self.pins:
            return UnknownAccount()
        if not self.pins[account_number]:
            return NoPinOnFile()
        failures = self.failures.get(account_number, 0)
        if failures >= self.limit:
            return LockedOut(until=self.clock() + timedelta(minutes=30))
        if pin == self.pins[account_number]:
            self.failures[account_number] = 0
            return Verified()
        self.failures[account_number] = failures + 1
        if failures + 1 >= self.limit:
            return LockedOut(until=self.clock() + timedelta(minutes=30))
        return Rejected(attempts_left=self.limit - failures - 1)
