"""The conversation lock: a pure state machine (DESIGN.md section 4).

``open -> locked -> challenged -> verified(until)``; ``verified -> locked`` on expiry; any state
``-> locked_out(until)`` when the account locks out; a supervisor ``override`` with a reason.
A verification applies to one conversation and one account only, and only until it expires
(R17). No path reaches ``verified`` except :func:`on_verified`, which the PIN gate calls after
the vault accepted a PIN (R6, R7).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from bot.errors import IllegalTransitionError

__all__ = [
    "Lock",
    "LockState",
    "on_challenge",
    "on_expiry",
    "on_locked_out",
    "on_manual_lock",
    "on_override",
    "on_sensitive",
    "on_verified",
]


class LockState(StrEnum):
    """Where a conversation stands."""

    OPEN = "open"
    LOCKED = "locked"
    CHALLENGED = "challenged"
    VERIFIED = "verified"
    LOCKED_OUT = "locked_out"
    OVERRIDDEN = "overridden"


#: States in which CPNI may not be shared in the conversation.
LOCKING_STATES = frozenset({LockState.LOCKED, LockState.CHALLENGED, LockState.LOCKED_OUT})


@dataclass(frozen=True, slots=True)
class Lock:
    """A conversation's lock.

    Attributes:
        state: the current state.
        until: when ``verified``, ``overridden`` or ``locked_out`` ends (None: no end).
        account_number: the account a verification was made for (R17).
        by: who verified or overrode it.
        method: how (``agent``, ``link``, ``reply``, ``override``).
    """

    state: LockState = LockState.OPEN
    until: datetime | None = None
    account_number: str | None = None
    by: str | None = None
    method: str | None = None

    @property
    def is_locked(self) -> bool:
        """Whether CPNI may not be shared now."""
        return self.state in LOCKING_STATES

    def is_unlocked_for(self, account_number: str | None, *, now: datetime) -> bool:
        """Whether a verification or override covers ``account_number`` at ``now``."""
        if self.state not in (LockState.VERIFIED, LockState.OVERRIDDEN):
            return False
        if self.until is not None and now >= self.until:
            return False
        return self.state is LockState.OVERRIDDEN or self.account_number == account_number


def _refuse(lock: Lock, event: str) -> IllegalTransitionError:
    return IllegalTransitionError(f"cannot {event} a conversation that is {lock.state}")


def on_expiry(lock: Lock, *, now: datetime) -> Lock:
    """Lapse a verification or override whose time is up, or end a timed lockout."""
    expired = lock.until is not None and now >= lock.until
    if expired and lock.state in (LockState.VERIFIED, LockState.OVERRIDDEN, LockState.LOCKED_OUT):
        return Lock(LockState.LOCKED, account_number=lock.account_number)
    return lock


def on_sensitive(lock: Lock, *, account_number: str | None, now: datetime) -> Lock:
    """The thread touches CPNI: lock it unless a live verification covers this account.

    A verification for another account does not carry over (R17).
    """
    lock = on_expiry(lock, now=now)
    if lock.state is LockState.OPEN:
        return Lock(LockState.LOCKED, account_number=account_number)
    if lock.state is LockState.VERIFIED and account_number not in (None, lock.account_number):
        return Lock(LockState.LOCKED, account_number=account_number)
    return lock


def on_challenge(lock: Lock, *, now: datetime) -> Lock:
    """A PIN challenge started (modal opened, link sent, reply requested)."""
    lock = on_expiry(lock, now=now)
    if lock.state in (LockState.LOCKED, LockState.CHALLENGED):
        return replace(lock, state=LockState.CHALLENGED)
    raise _refuse(lock, "challenge")


def on_verified(
    lock: Lock, *, account_number: str, by: str, method: str, now: datetime, ttl: timedelta
) -> Lock:
    """The vault accepted the PIN: unlock for this account only, until ``now + ttl`` (R17).

    The vault is the authority on lockouts: it accepts no PIN while the account is locked out,
    so an acceptance also ends a conversation's stale ``locked_out`` display state.
    """
    if ttl <= timedelta(0):
        raise IllegalTransitionError("a verification needs a positive lifetime")
    return Lock(
        LockState.VERIFIED, until=now + ttl, account_number=account_number, by=by, method=method
    )


def on_locked_out(lock: Lock, *, until: datetime | None) -> Lock:
    """The account locked out: the conversation stays shut until ``until`` (None: supervisor)."""
    return Lock(LockState.LOCKED_OUT, until=until, account_number=lock.account_number)


def on_override(lock: Lock, *, by: str, reason: str, now: datetime, ttl: timedelta) -> Lock:
    """A supervisor lifts the lock with a written reason (recorded by the caller, R27)."""
    if not reason.strip():
        raise IllegalTransitionError("a supervisor override needs a reason")
    return Lock(
        LockState.OVERRIDDEN,
        until=now + ttl,
        account_number=lock.account_number,
        by=by,
        method="override",
    )


def on_manual_lock(lock: Lock, *, now: datetime) -> Lock:
    """An agent locks the thread by hand (``/cpni lock``)."""
    lock = on_expiry(lock, now=now)
    if lock.state is LockState.LOCKED_OUT:
        return lock
    return Lock(LockState.LOCKED, account_number=lock.account_number)
