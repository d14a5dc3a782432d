"""The ``possible_pretexting`` signal: one agent or source failing PINs across many accounts.

R26 lists "repeated failed PIN attempts across tickets or accounts" among the pretexting
patterns a carrier should detect (47 CFR 64.2010(a): reasonable measures to discover attempts
at unauthorized access). A single account's failures are handled by the lockout; this signal
looks across accounts: the same agent (an insider, or an agent being worked by a caller) or the
same source (an IP address, a phone line) failing on ``distinct_accounts`` or more accounts
within ``window``. The thresholds are [DESIGN]; the signal is audited and escalated, it blocks
nothing by itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "FailureRecord",
    "PossiblePretexting",
    "PretextingPolicy",
    "detect_pretexting",
]


@dataclass(frozen=True)
class FailureRecord:
    """One failed PIN attempt, as remembered for cross-account analysis (never the PIN).

    Attributes:
        account_id: the account the attempt was made against.
        at: when it happened (timezone-aware UTC).
        actor: the agent who entered it (``slack:T1/U1``), if an agent did.
        source: where it came from (a client IP, a caller's number), if known.
    """

    account_id: str
    at: datetime
    actor: str | None = None
    source: str | None = None

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("FailureRecord.at must be timezone-aware (UTC)")


class PretextingPolicy(BaseModel):
    """Thresholds for the ``possible_pretexting`` signal (policy YAML).

    Attributes:
        distinct_accounts: distinct accounts failed by one actor or source that raise the
            signal (default 3).
        window: how far back failures count (default 1 hour).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    distinct_accounts: int = Field(default=3, ge=2, le=1000)
    window: timedelta = timedelta(hours=1)

    @model_validator(mode="after")
    def _window_positive(self) -> Self:
        if self.window <= timedelta(0):
            raise ValueError("window must be positive")
        return self


@dataclass(frozen=True)
class PossiblePretexting:
    """A signal for the audit log and the fraud queue (R26).

    Attributes:
        dimension: whether the repeated party is an ``actor`` (agent) or a ``source``.
        subject: the actor id or source.
        account_ids: the distinct accounts failed within the window, sorted.
        first_at: the earliest counted failure.
        last_at: the latest counted failure.
    """

    dimension: Literal["actor", "source"]
    subject: str
    account_ids: tuple[str, ...]
    first_at: datetime
    last_at: datetime
    kind: Literal["possible_pretexting"] = "possible_pretexting"


def detect_pretexting(
    records: Iterable[FailureRecord],
    *,
    now: datetime,
    policy: PretextingPolicy | None = None,
) -> list[PossiblePretexting]:
    """Return a signal for each actor and each source over the threshold at ``now``.

    Args:
        records: recent failures (older or future ones are ignored, so the caller may pass a
            generous slice).
        now: the current time, timezone-aware.
        policy: the thresholds; defaults to ``PretextingPolicy()``.

    Returns:
        Signals sorted by dimension then subject; empty when nothing crosses the threshold.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    rules = policy or PretextingPolicy()
    by_party: dict[tuple[Literal["actor", "source"], str], list[FailureRecord]] = defaultdict(list)
    for record in records:
        if not now - rules.window < record.at <= now:
            continue
        if record.actor:
            by_party[("actor", record.actor)].append(record)
        if record.source:
            by_party[("source", record.source)].append(record)
    signals = [
        PossiblePretexting(
            dimension=dimension,
            subject=subject,
            account_ids=tuple(sorted({r.account_id for r in failures})),
            first_at=min(r.at for r in failures),
            last_at=max(r.at for r in failures),
        )
        for (dimension, subject), failures in sorted(by_party.items())
        if len({r.account_id for r in failures}) >= rules.distinct_accounts
    ]
    return signals
