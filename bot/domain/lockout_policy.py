"""The tunable lockout rules (policy YAML): how many wrong PINs, and how long a lock lasts.

Defaults come from issue 3: 5 failures within 15 minutes lock the account for 30 minutes,
doubling on each further lockout (capped at 24 hours); 10 consecutive failures lock it until a
supervisor unlocks it or the customer re-enrols. The rules that apply them are in
``bot.domain.verification``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["DEFAULT_LOCKOUT_POLICY", "LockoutPolicy"]


class LockoutPolicy(BaseModel):
    """How many wrong PINs are tolerated, and for how long an account then locks.

    Attributes:
        max_failures: failures that cause a timed lockout when each comes within ``window``
            of the one before (default 5).
        window: how long a failure keeps the count open (default 15 min). The count restarts
            only after a pause of ``window`` with no failure, so any ``max_failures`` failures
            within ``window`` of each other lock: never more lenient than a sliding window,
            and no burst at a fixed window's edge.
        lockout: the first lockout's length, at least ``window`` (default 30 min).
        lockout_multiplier: each further lockout lasts this many times longer (default 2).
        max_lockout: the longest timed lockout (default 24 h).
        hard_lock_after: consecutive failures that lock until a supervisor unlock or a
            re-enrolment (default 10).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_failures: int = Field(default=5, ge=1, le=100)
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=30)
    lockout_multiplier: int = Field(default=2, ge=1, le=10)
    max_lockout: timedelta = timedelta(hours=24)
    hard_lock_after: int = Field(default=10, ge=1, le=1000)

    @model_validator(mode="after")
    def _durations_positive(self) -> Self:
        problems = [
            f"{name} must be positive"
            for name in ("window", "lockout", "max_lockout")
            if getattr(self, name) <= timedelta(0)
        ]
        if self.max_lockout < self.lockout:
            problems.append("max_lockout must not be shorter than lockout")
        if self.lockout < self.window:
            # A lockout shorter than the window would let 2 * max_failures guesses fall
            # within one window (before and after the lockout).
            problems.append("lockout must not be shorter than window")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def lockout_length(self, lockout_number: int) -> timedelta:
        """Length of the ``lockout_number``-th timed lockout (1-based), capped."""
        factor = int(self.lockout_multiplier ** min(max(lockout_number - 1, 0), 32))
        return min(self.lockout * factor, self.max_lockout)


DEFAULT_LOCKOUT_POLICY: Final = LockoutPolicy()
