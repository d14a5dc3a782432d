"""PIN verification outcomes and the lockout rules, as pure functions of state and time.

A 4-digit PIN falls to 10,000 guesses, so the attempt limit is the real protection. The rules
(``LockoutPolicy``, defaults from issue 3): 5 failures within 15 minutes lock the
account for 30 minutes, doubling with each further lockout; 10 consecutive failures lock it
until a supervisor unlocks it or the customer re-enrols. A success resets every counter.

How a service must use this (the limit holds exactly only if it does; DESIGN "fail closed"):

1. In one transaction, load ``CredentialState`` *with a row lock* (``SELECT ... FOR UPDATE``).
2. ``gate(state, now=now, policy=policy)``: a ``LockedOut`` result is final; no hash is
   checked, so a correct PIN during a lockout is refused too (and audited).
3. Only on ``MayEvaluate``: verify the PIN, then store ``after_failure`` or ``after_success``
   and commit. ``after_failure`` refuses to run on a locked state (``IllegalTransitionError``).

Because every evaluated guess passes ``gate`` and is counted under the same row lock, no more
guesses are evaluated than the policy allows, however many processes guess at once.
Outcome types are values, never exceptions (style rule 2). Pretexting signals (R26) are in
``bot.domain.pretexting`` and re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from bot.domain.lockout_policy import DEFAULT_LOCKOUT_POLICY, LockoutPolicy
from bot.domain.pretexting import (
    FailureRecord,
    PossiblePretexting,
    PretextingPolicy,
    detect_pretexting,
)
from bot.errors import IllegalTransitionError

__all__ = [
    "DEFAULT_LOCKOUT_POLICY",
    "CredentialState",
    "FailureRecord",
    "LockedOut",
    "LockoutPolicy",
    "MayEvaluate",
    "NewPinRequired",
    "NoPinOnFile",
    "PossiblePretexting",
    "PretextingPolicy",
    "Rejected",
    "UnknownAccount",
    "VerificationOutcome",
    "Verified",
    "after_failure",
    "after_reenrolment",
    "after_success",
    "after_supervisor_unlock",
    "detect_pretexting",
    "gate",
    "is_locked",
]


@dataclass(frozen=True)
class Verified:
    """The PIN matched."""

    kind: Literal["verified"] = "verified"


@dataclass(frozen=True)
class Rejected:
    """The PIN did not match. ``attempts_left`` more wrong guesses are allowed before a lock."""

    attempts_left: int
    kind: Literal["rejected"] = "rejected"


@dataclass(frozen=True)
class LockedOut:
    """The account is locked out. ``until`` is the UTC end, or ``None`` for a hard lock."""

    until: datetime | None
    kind: Literal["locked_out"] = "locked_out"


@dataclass(frozen=True)
class NoPinOnFile:
    """The account exists but has no PIN (the caller still runs a dummy hash)."""

    kind: Literal["no_pin_on_file"] = "no_pin_on_file"


@dataclass(frozen=True)
class UnknownAccount:
    """No such account (the caller still runs a dummy hash)."""

    kind: Literal["unknown_account"] = "unknown_account"


@dataclass(frozen=True)
class NewPinRequired:
    """Both the PIN and the backup answer failed in this interaction (R16).

    The vault checks nothing more for the interaction. The only way forward is a new PIN set
    after a one-time code sent to a contact of record or an in-person photo-ID check (R13,
    R14): never questions about biographical or account data.
    """

    kind: Literal["new_pin_required"] = "new_pin_required"


VerificationOutcome = (
    Verified | Rejected | LockedOut | NoPinOnFile | UnknownAccount | NewPinRequired
)
"""Every answer a PIN or backup-answer check can give; match on the type or on ``kind``."""


@dataclass(frozen=True)
class MayEvaluate:
    """The gate is open: one guess may be evaluated. ``attempts_left`` counts this one."""

    attempts_left: int


@dataclass(frozen=True)
class CredentialState:
    """The attempt counters of one credential; fields map 1:1 to database columns.

    Attributes:
        failures_in_window: failures counted in the current window.
        window_started_at: when the current window last (re)started (UTC), or ``None``. Each
            failure restarts it, so it is the time of the latest counted failure.
        consecutive_failures: failures since the last success, unlock or re-enrolment.
        locked_until: end of the current or last timed lockout (UTC), or ``None``.
        lockout_count: lockouts since the last success or re-enrolment (drives doubling).
        hard_locked: locked until a supervisor unlock or re-enrolment.

    Raises:
        ValueError: a naive datetime or a negative counter (storage must return UTC-aware
            datetimes; SQLite returns naive ones unless converted).
    """

    failures_in_window: int = 0
    window_started_at: datetime | None = None
    consecutive_failures: int = 0
    locked_until: datetime | None = None
    lockout_count: int = 0
    hard_locked: bool = False

    def __post_init__(self) -> None:
        for moment in (self.window_started_at, self.locked_until):
            if moment is not None:
                _require_aware(moment)
        if min(self.failures_in_window, self.consecutive_failures, self.lockout_count) < 0:
            raise ValueError("credential counters cannot be negative")


def is_locked(state: CredentialState, *, now: datetime) -> bool:
    """Whether the account is locked out at ``now`` (hard lock or unexpired timed lock)."""
    _require_aware(now)
    return state.hard_locked or (state.locked_until is not None and now < state.locked_until)


def gate(
    state: CredentialState, *, now: datetime, policy: LockoutPolicy = DEFAULT_LOCKOUT_POLICY
) -> MayEvaluate | LockedOut:
    """Decide, before any hash is checked, whether a guess may be evaluated.

    Args:
        state: the credential's counters, read under a row lock.
        now: the current time, timezone-aware.
        policy: the lockout rules.

    Returns:
        ``LockedOut`` while a lock holds (even a correct PIN is then refused), else
        ``MayEvaluate`` with the wrong guesses left before the next lock, this one included.
    """
    if state.hard_locked:
        return LockedOut(until=None)
    if is_locked(state, now=now):
        return LockedOut(until=state.locked_until)
    in_window = _current_window_failures(state, now=now, policy=policy)
    # Under one policy an unlocked state always has a guess left; the floor of 1 only matters
    # when the policy was tightened since the counters were written (the guess then locks).
    left = min(policy.max_failures - in_window, policy.hard_lock_after - state.consecutive_failures)
    return MayEvaluate(attempts_left=max(left, 1))


def after_failure(
    state: CredentialState, *, now: datetime, policy: LockoutPolicy = DEFAULT_LOCKOUT_POLICY
) -> tuple[CredentialState, Rejected | LockedOut]:
    """Count one evaluated wrong guess and say what the customer is told.

    Args:
        state: the counters the gate was opened on.
        now: the current time, timezone-aware.
        policy: the lockout rules.

    Returns:
        The new counters and ``Rejected(attempts_left)``, or ``LockedOut`` when this failure
        reached a limit. A lockout closes the failure window, so each timed lockout is
        followed by at most ``max_failures`` evaluated guesses.

    Raises:
        IllegalTransitionError: the state is locked, so no guess should have been evaluated.
    """
    if is_locked(state, now=now):
        raise IllegalTransitionError("a guess was evaluated while the account was locked out")
    in_window = _current_window_failures(state, now=now, policy=policy) + 1
    consecutive = state.consecutive_failures + 1
    counted = replace(
        state,
        failures_in_window=in_window,
        window_started_at=now,
        consecutive_failures=consecutive,
        locked_until=None,
    )
    if consecutive >= policy.hard_lock_after:
        hard = _closed_window(counted, hard_locked=True, lockout_count=state.lockout_count + 1)
        return hard, LockedOut(until=None)
    if in_window >= policy.max_failures:
        number = state.lockout_count + 1
        until = now + policy.lockout_length(number)
        timed = _closed_window(counted, locked_until=until, lockout_count=number)
        return timed, LockedOut(until=until)
    left = min(policy.max_failures - in_window, policy.hard_lock_after - consecutive)
    return counted, Rejected(attempts_left=left)


def after_success(
    state: CredentialState, *, now: datetime, policy: LockoutPolicy = DEFAULT_LOCKOUT_POLICY
) -> CredentialState:
    """Reset every counter after a correct PIN that passed the gate.

    ``now`` and ``policy`` are accepted for symmetry and future rules (and ``now`` is checked
    to be aware); a success leaves no trace in the counters.
    """
    del policy  # the reset is unconditional today
    _require_aware(now)
    return CredentialState()


def after_supervisor_unlock(state: CredentialState) -> CredentialState:
    """Lift any lock and clear the failure counters; keep ``lockout_count`` so doubling holds.

    A supervisor unlock is not a proof of identity: if guessing resumes, the next timed
    lockout is longer than the last.
    """
    return CredentialState(lockout_count=state.lockout_count)


def after_reenrolment(state: CredentialState) -> CredentialState:
    """Start afresh: a new PIN (set per R14) means the old guesses no longer matter."""
    del state  # nothing carries over to the new PIN
    return CredentialState()


def _current_window_failures(
    state: CredentialState, *, now: datetime, policy: LockoutPolicy
) -> int:
    """Failures that still count at ``now``: zero after a pause of ``window`` or more."""
    _require_aware(now)
    start = state.window_started_at
    if start is None or now - start >= policy.window:
        return 0
    return state.failures_in_window


def _closed_window(
    state: CredentialState,
    *,
    lockout_count: int,
    locked_until: datetime | None = None,
    hard_locked: bool = False,
) -> CredentialState:
    return replace(
        state,
        failures_in_window=0,
        window_started_at=None,
        locked_until=locked_until,
        lockout_count=lockout_count,
        hard_locked=hard_locked,
    )


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("datetimes must be timezone-aware (UTC)")
