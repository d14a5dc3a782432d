"""Specification of verification outcomes, the lockout rules and the pretexting signal."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.domain.verification import (
    CredentialState,
    FailureRecord,
    LockedOut,
    LockoutPolicy,
    MayEvaluate,
    PossiblePretexting,
    PretextingPolicy,
    Rejected,
    Verified,
    after_failure,
    after_reenrolment,
    after_success,
    after_supervisor_unlock,
    detect_pretexting,
    gate,
    is_locked,
)
from bot.errors import IllegalTransitionError

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
POLICY = LockoutPolicy()
MIN = timedelta(minutes=1)


def _fail(
    times: int, state: CredentialState | None = None, *, at: datetime = T0
) -> tuple[CredentialState, Rejected | LockedOut]:
    """Apply ``times`` evaluated failures at ``at``; return the last state and outcome."""
    current = state or CredentialState()
    outcome: Rejected | LockedOut = Rejected(attempts_left=POLICY.max_failures)
    for _ in range(times):
        current, outcome = after_failure(current, now=at, policy=POLICY)
    return current, outcome


# --- the rules, table-driven --------------------------------------------------------------


@pytest.mark.parametrize(
    ("failures", "expected"),
    [
        (1, Rejected(attempts_left=4)),
        (4, Rejected(attempts_left=1)),
        (5, LockedOut(until=T0 + timedelta(minutes=30))),
    ],
)
def test_five_failures_in_the_window_lock_for_thirty_minutes(
    failures: int, expected: Rejected | LockedOut
) -> None:
    """Failures count down attempts_left; the fifth locks for 30 minutes (issue 3 defaults)."""
    assert _fail(failures)[1] == expected


def test_gate_refuses_during_lockout_even_before_any_hash() -> None:
    """A locked account is refused at the gate, so even a correct PIN is never checked."""
    locked, outcome = _fail(5)
    assert gate(locked, now=T0 + 29 * MIN) == outcome
    assert gate(locked, now=T0 + 30 * MIN) == MayEvaluate(attempts_left=5)


def test_a_pause_of_a_whole_window_restarts_the_count() -> None:
    """Four failures, then one 15 minutes later: the count restarts, no lockout."""
    state, _ = _fail(4)
    state, outcome = after_failure(state, now=T0 + 15 * MIN, policy=POLICY)
    assert outcome == Rejected(attempts_left=4)
    assert state.window_started_at == T0 + 15 * MIN
    assert state.consecutive_failures == 5


def test_failures_each_within_the_window_of_the_last_still_lock() -> None:
    """Failures 14 minutes apart keep the count open: no burst at a window edge."""
    state = CredentialState()
    for step in range(4):
        state, outcome = after_failure(state, now=T0 + step * 14 * MIN, policy=POLICY)
    assert outcome == Rejected(attempts_left=1)
    _, outcome = after_failure(state, now=T0 + 4 * 14 * MIN, policy=POLICY)
    assert outcome == LockedOut(until=T0 + 56 * MIN + 30 * MIN)


def test_ten_consecutive_failures_lock_until_supervisor_or_reenrolment() -> None:
    """The tenth consecutive failure is a hard lock that no amount of time lifts."""
    state, _ = _fail(5)
    state, outcome = _fail(5, state, at=T0 + 30 * MIN)
    assert outcome == LockedOut(until=None)
    assert state.hard_locked
    assert gate(state, now=T0 + timedelta(days=365)) == LockedOut(until=None)


def test_each_further_lockout_doubles_up_to_the_cap() -> None:
    """Lockouts last 30, 60, 120 minutes ... and never more than max_lockout."""
    policy = LockoutPolicy(hard_lock_after=1000, max_lockout=timedelta(hours=3))
    state, now, lengths = CredentialState(), T0, []
    for _ in range(4):
        for _ in range(policy.max_failures):
            state, outcome = after_failure(state, now=now, policy=policy)
        assert isinstance(outcome, LockedOut) and outcome.until is not None
        lengths.append(outcome.until - now)
        now = outcome.until
    assert lengths == [timedelta(minutes=m) for m in (30, 60, 120, 180)]


def test_a_failure_during_lockout_is_an_illegal_transition() -> None:
    """Counting a guess that the gate should have refused raises IllegalTransitionError."""
    locked, _ = _fail(5)
    with pytest.raises(IllegalTransitionError):
        after_failure(locked, now=T0 + MIN, policy=POLICY)


def test_success_resets_every_counter() -> None:
    """A correct PIN that passed the gate resets failures, window and lockout history."""
    state, _ = _fail(5)
    state, _ = _fail(3, state, at=T0 + 31 * MIN)
    assert after_success(state, now=T0 + 32 * MIN) == CredentialState()


def test_supervisor_unlock_lifts_the_lock_but_keeps_escalation() -> None:
    """An unlock clears the lock and counters; lockout_count stays, so doubling continues."""
    state, _ = _fail(5)
    state, _ = _fail(5, state, at=T0 + 30 * MIN)
    unlocked = after_supervisor_unlock(state)
    assert not is_locked(unlocked, now=T0 + 31 * MIN)
    assert unlocked == CredentialState(lockout_count=state.lockout_count)


def test_reenrolment_starts_afresh() -> None:
    """A new PIN (R14 reset) clears every counter and lock."""
    state, _ = _fail(5)
    state, _ = _fail(5, state, at=T0 + 30 * MIN)
    assert state.hard_locked
    assert after_reenrolment(state) == CredentialState()


@pytest.mark.parametrize(
    "make",
    [
        lambda: gate(CredentialState(), now=datetime(2025, 1, 1)),
        lambda: CredentialState(locked_until=datetime(2025, 1, 1)),
        lambda: CredentialState(failures_in_window=-1),
        lambda: FailureRecord(account_id="a", at=datetime(2025, 1, 1)),
    ],
)
def test_naive_datetimes_and_negative_counters_are_refused(make: object) -> None:
    """Time must be timezone-aware UTC; storage must convert SQLite's naive datetimes."""
    with pytest.raises(ValueError):
        make()  # type: ignore[operator]


@pytest.mark.parametrize(
    "settings",
    [
        {"window": timedelta(0)},
        {"lockout": timedelta(minutes=-1)},
        {"max_lockout": timedelta(minutes=10)},
        {"lockout": timedelta(minutes=10)},
        {"max_failures": 0},
        {"unknown": 1},
    ],
)
def test_bad_lockout_settings_are_refused(settings: dict[str, object]) -> None:
    """Non-positive durations, a cap below the base lockout and unknown keys are refused."""
    with pytest.raises(ValidationError):
        LockoutPolicy(**settings)  # type: ignore[arg-type]


# --- properties (issue 3 acceptance) ------------------------------------------------------


@dataclass(frozen=True)
class Wait:
    seconds: int


@dataclass(frozen=True)
class Guess:
    correct: bool


@dataclass(frozen=True)
class Unlock:
    pass


@dataclass(frozen=True)
class Reenrol:
    pass


Event = Wait | Guess | Unlock | Reenrol


@dataclass
class Simulation:
    """Drives the pure rules exactly as the service does: gate, then evaluate, then count."""

    policy: LockoutPolicy
    state: CredentialState = field(default_factory=CredentialState)
    now: datetime = T0
    evaluated: list[bool] = field(default_factory=list)

    def apply(self, event: Event) -> Verified | Rejected | LockedOut | None:
        if isinstance(event, Wait):
            self.now += timedelta(seconds=event.seconds)
            return None
        if isinstance(event, Unlock):
            self.state = after_supervisor_unlock(self.state)
            return None
        if isinstance(event, Reenrol):
            self.state = after_reenrolment(self.state)
            return None
        opened = gate(self.state, now=self.now, policy=self.policy)
        if isinstance(opened, LockedOut):
            return opened
        self.evaluated.append(event.correct)
        if event.correct:
            self.state = after_success(self.state, now=self.now, policy=self.policy)
            return Verified()
        self.state, outcome = after_failure(self.state, now=self.now, policy=self.policy)
        return outcome


policies = st.builds(
    LockoutPolicy,
    max_failures=st.integers(1, 6),
    window=st.integers(60, 3600).map(lambda s: timedelta(seconds=s)),
    lockout=st.integers(3600, 7200).map(lambda s: timedelta(seconds=s)),
    lockout_multiplier=st.integers(1, 3),
    max_lockout=st.just(timedelta(days=1)),
    hard_lock_after=st.integers(1, 15),
)
waits = st.integers(0, 7200).map(Wait)
wrong_guesses_and_waits = st.lists(st.one_of(st.just(Guess(correct=False)), waits), max_size=80)
any_events = st.lists(
    st.one_of(st.builds(Guess, st.booleans()), waits, st.just(Unlock()), st.just(Reenrol())),
    max_size=80,
)


@given(policy=policies, events=wrong_guesses_and_waits)
def test_no_sequence_of_wrong_guesses_evaluates_more_than_the_policy_allows(
    policy: LockoutPolicy, events: list[Event]
) -> None:
    """Without a success or unlock, at most hard_lock_after guesses are ever evaluated, and
    at most max_failures within any window-long span (a sliding-window guarantee)."""
    sim = Simulation(policy)
    times: list[datetime] = []
    for event in events:
        evaluated_before = len(sim.evaluated)
        sim.apply(event)
        if len(sim.evaluated) > evaluated_before:
            times.append(sim.now)
    for start in times:
        in_span = [t for t in times if start <= t < start + policy.window]
        assert len(in_span) <= policy.max_failures
    assert len(sim.evaluated) <= policy.hard_lock_after


@given(policy=policies, events=any_events)
def test_a_locked_account_is_left_only_by_expiry_unlock_or_reenrolment(
    policy: LockoutPolicy, events: list[Event]
) -> None:
    """While locked, guesses (right or wrong) change nothing; only time past a timed lock,
    a supervisor unlock or a re-enrolment unlock it."""
    sim = Simulation(policy)
    for event in events:
        before, was_locked = sim.state, is_locked(sim.state, now=sim.now)
        evaluated_before = len(sim.evaluated)
        outcome = sim.apply(event)
        if not was_locked:
            continue
        if isinstance(event, Guess):
            assert isinstance(outcome, LockedOut)
            assert sim.state == before and len(sim.evaluated) == evaluated_before
        elif not is_locked(sim.state, now=sim.now):
            expired = isinstance(event, Wait) and not before.hard_locked
            assert expired or isinstance(event, (Unlock, Reenrol))


@given(policy=policies, events=any_events)
def test_a_success_resets_the_counter(policy: LockoutPolicy, events: list[Event]) -> None:
    """After any history, a correct PIN that passes the gate restores the full budget."""
    sim = Simulation(policy)
    for event in events:
        sim.apply(event)
    sim.apply(Unlock())
    assert sim.apply(Guess(correct=True)) == Verified()
    assert sim.state == CredentialState()
    budget = min(policy.max_failures, policy.hard_lock_after)
    assert gate(sim.state, now=sim.now, policy=policy) == MayEvaluate(attempts_left=budget)


@given(policy=policies, events=any_events)
def test_verified_only_follows_an_evaluated_correct_pin(
    policy: LockoutPolicy, events: list[Event]
) -> None:
    """No path reaches Verified without the gate open and the PIN right."""
    sim = Simulation(policy)
    for event in events:
        open_before = not is_locked(sim.state, now=sim.now)
        if sim.apply(event) == Verified():
            assert isinstance(event, Guess) and event.correct and open_before


# --- pretexting signal (R26) --------------------------------------------------------------


def _failure(
    account: str, minutes_ago: int, *, actor: str | None = None, source: str | None = None
) -> FailureRecord:
    return FailureRecord(account_id=account, at=T0 - minutes_ago * MIN, actor=actor, source=source)


def test_one_agent_failing_on_three_accounts_raises_possible_pretexting() -> None:
    """The same agent failing PINs on 3 accounts within an hour is a signal (R26)."""
    records = [_failure(a, m, actor="slack:T1/U7") for a, m in (("A1", 50), ("A2", 20), ("A3", 1))]
    assert detect_pretexting(records, now=T0) == [
        PossiblePretexting(
            dimension="actor",
            subject="slack:T1/U7",
            account_ids=("A1", "A2", "A3"),
            first_at=T0 - 50 * MIN,
            last_at=T0 - MIN,
        )
    ]


@pytest.mark.parametrize(
    ("records", "dimensions"),
    [
        (
            [
                _failure("A1", 1, actor="u"),
                _failure("A1", 2, actor="u"),
                _failure("A2", 3, actor="u"),
            ],
            [],
        ),
        (
            [
                _failure("A1", 1, actor="u"),
                _failure("A2", 2, actor="u"),
                _failure("A3", 61, actor="u"),
            ],
            [],
        ),
        (
            [_failure(a, 5, source="203.0.113.9") for a in ("A1", "A2", "A3")],
            [("source", "203.0.113.9")],
        ),
        (
            [_failure(a, 5, actor=f"u{a}", source="ip") for a in ("A1", "A2", "A3")],
            [("source", "ip")],
        ),
        (
            [_failure(a, 5, actor="u", source="ip") for a in ("A1", "A2", "A3")],
            [("actor", "u"), ("source", "ip")],
        ),
    ],
)
def test_pretexting_thresholds(
    records: list[FailureRecord], dimensions: list[tuple[str, str]]
) -> None:
    """Repeats on one account, old failures and different agents do not count (R26)."""
    signals = detect_pretexting(records, now=T0)
    assert [(s.dimension, s.subject) for s in signals] == dimensions


def test_pretexting_thresholds_are_configurable() -> None:
    """Two accounts within ten minutes can be made enough to signal (R26)."""
    policy = PretextingPolicy(distinct_accounts=2, window=timedelta(minutes=10))
    records = [_failure("A1", 9, actor="u"), _failure("A2", 1, actor="u")]
    assert len(detect_pretexting(records, now=T0, policy=policy)) == 1
    assert detect_pretexting(records, now=T0 + 2 * MIN, policy=policy) == []
