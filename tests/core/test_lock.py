"""The conversation lock state machine (DESIGN.md section 4; R6, R17)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.lock import (
    Lock,
    LockState,
    on_challenge,
    on_expiry,
    on_locked_out,
    on_manual_lock,
    on_override,
    on_sensitive,
    on_verified,
)
from bot.errors import IllegalTransitionError

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
TTL = timedelta(minutes=30)


def test_a_sensitive_open_thread_locks_for_its_account() -> None:
    """open -> locked when CPNI appears (R6)."""
    lock = on_sensitive(Lock(), account_number="A-1", now=NOW)
    assert (lock.state, lock.account_number, lock.is_locked) == (LockState.LOCKED, "A-1", True)


def test_a_verification_covers_only_its_account_and_time() -> None:
    """A verification unlocks one account until it expires, then the thread locks again (R17)."""
    verified = on_verified(
        Lock(LockState.CHALLENGED), account_number="A-1", by="U1", method="agent", now=NOW, ttl=TTL
    )
    assert verified.is_unlocked_for("A-1", now=NOW + timedelta(minutes=29))
    assert not verified.is_unlocked_for("A-2", now=NOW)
    assert not verified.is_unlocked_for("A-1", now=NOW + TTL)
    assert on_expiry(verified, now=NOW + TTL).state is LockState.LOCKED
    again = on_sensitive(verified, account_number="A-2", now=NOW + timedelta(minutes=5))
    assert (again.state, again.account_number) == (LockState.LOCKED, "A-2")


@pytest.mark.parametrize(
    ("start", "event", "expected"),
    [
        (LockState.LOCKED, "challenge", LockState.CHALLENGED),
        (LockState.CHALLENGED, "challenge", LockState.CHALLENGED),
        (LockState.VERIFIED, "sensitive", LockState.VERIFIED),
        (LockState.LOCKED_OUT, "sensitive", LockState.LOCKED_OUT),
        (LockState.VERIFIED, "manual_lock", LockState.LOCKED),
        (LockState.LOCKED_OUT, "manual_lock", LockState.LOCKED_OUT),
        (LockState.OPEN, "locked_out", LockState.LOCKED_OUT),
    ],
)
def test_transition_table(start: LockState, event: str, expected: LockState) -> None:
    """Each event moves each state as the design's table says."""
    lock = Lock(
        start,
        until=NOW + TTL if start in (LockState.VERIFIED, LockState.LOCKED_OUT) else None,
        account_number="A-1",
    )
    moved = {
        "challenge": lambda: on_challenge(lock, now=NOW),
        "sensitive": lambda: on_sensitive(lock, account_number="A-1", now=NOW),
        "manual_lock": lambda: on_manual_lock(lock, now=NOW),
        "locked_out": lambda: on_locked_out(lock, until=NOW + TTL),
    }[event]()
    assert moved.state is expected


@pytest.mark.parametrize("start", [LockState.OPEN, LockState.VERIFIED, LockState.LOCKED_OUT])
def test_a_challenge_is_refused_where_nothing_is_locked_or_the_account_is_out(
    start: LockState,
) -> None:
    """Only a locked thread can be challenged; anything else is an illegal transition."""
    with pytest.raises(IllegalTransitionError):
        on_challenge(Lock(start, until=NOW + TTL), now=NOW)


def test_an_override_needs_a_reason_and_records_its_author() -> None:
    """A supervisor override without a reason is refused; with one it names the supervisor (R27)."""
    with pytest.raises(IllegalTransitionError):
        on_override(Lock(LockState.LOCKED), by="S1", reason="  ", now=NOW, ttl=TTL)
    lock = on_override(
        Lock(LockState.LOCKED_OUT), by="S1", reason="fraud team cleared", now=NOW, ttl=TTL
    )
    assert (lock.state, lock.by, lock.method) == (LockState.OVERRIDDEN, "S1", "override")


EVENTS = st.sampled_from(["sensitive", "challenge", "expire", "locked_out", "manual", "override"])


def _apply(event: str, lock: Lock, now: datetime) -> Lock:
    if event == "sensitive":
        return on_sensitive(lock, account_number="A-1", now=now)
    if event == "challenge":
        return on_challenge(lock, now=now)
    if event == "expire":
        return on_expiry(lock, now=now)
    if event == "locked_out":
        return on_locked_out(lock, until=now + TTL)
    if event == "manual":
        return on_manual_lock(lock, now=now)
    return on_override(lock, by="S", reason="r", now=now, ttl=TTL)


@given(st.lists(st.tuples(EVENTS, st.integers(0, 120)), max_size=40))
def test_no_path_reaches_verified_without_an_accepted_pin(steps: list[tuple[str, int]]) -> None:
    """Whatever happens, only on_verified (called after the vault accepts a PIN) yields verified."""
    lock, now = Lock(), NOW
    for event, minutes in steps:
        now += timedelta(minutes=minutes)
        try:
            lock = _apply(event, lock, now)
        except IllegalTransitionError:
            continue
        assert lock.state is not LockState.VERIFIED
