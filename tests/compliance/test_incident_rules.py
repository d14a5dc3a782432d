"""The pure incident rules, workflow and breach clocks (R26-R28, R32, R35, R36)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.audit import AuditAction, AuditEvent
from bot.domain.incidents import (
    BreachRule,
    IncidentKind,
    IncidentState,
    breach_clock,
    candidate_for,
    check_transition,
    retain_until,
)
from bot.errors import IllegalTransitionError

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # a Monday


def event(action: AuditAction, **kw: object) -> AuditEvent:
    return AuditEvent(occurred_at=NOW, actor="slack:T1/U1", action=action, **kw)  # type: ignore[arg-type]


def test_a_first_lockout_opens_nothing_a_second_opens_repeated_lockouts() -> None:
    """One lockout is the lockout policy's business; a repeat within the window is R26's."""
    lockout = event(AuditAction.PIN_LOCKOUT, account_number="A-1")
    assert candidate_for(lockout, prior_lockouts=0) is None
    found = candidate_for(lockout, prior_lockouts=1)
    assert found is not None
    assert (found.kind, found.subject) == (IncidentKind.REPEATED_LOCKOUTS, "account:A-1")


@pytest.mark.parametrize(
    ("action", "kind"),
    [
        (AuditAction.POSSIBLE_PRETEXTING, IncidentKind.POSSIBLE_PRETEXTING),
        (AuditAction.DISCLOSED_WHILE_LOCKED, IncidentKind.DISCLOSED_WHILE_LOCKED),
        (AuditAction.CPNI_MISDIRECTED, IncidentKind.MISDIRECTED_CPNI),
    ],
)
def test_each_signal_opens_its_kind(action: AuditAction, kind: IncidentKind) -> None:
    """Pretexting (R26), disclosure while locked (R27) and misdirected CPNI (R28) open incidents."""
    found = candidate_for(event(action, account_number="A-1", conversation_key="zendesk:s/9"))
    assert found is not None and found.kind is kind


def test_ordinary_events_open_nothing() -> None:
    """A successful verification is not an incident."""
    assert candidate_for(event(AuditAction.PIN_VERIFY, outcome="verified")) is None


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (IncidentState.OPEN, IncidentState.UNDER_REVIEW, True),
        (IncidentState.UNDER_REVIEW, IncidentState.BREACH_DETERMINED, True),
        (IncidentState.BREACH_DETERMINED, IncidentState.CLOSED, True),
        (IncidentState.CLOSED, IncidentState.OPEN, False),
        (IncidentState.BREACH_DETERMINED, IncidentState.UNDER_REVIEW, False),
    ],
)
def test_workflow_transitions(current: IncidentState, target: IncidentState, allowed: bool) -> None:
    """Incidents only move forward; a closed record is final."""
    if allowed:
        check_transition(current, target, note="reviewed")
    else:
        with pytest.raises(IllegalTransitionError):
            check_transition(current, target, note="reviewed")


def test_closing_needs_a_reason() -> None:
    """A closed incident must say why (it is kept 2 years as the record, R32)."""
    with pytest.raises(IllegalTransitionError, match="note"):
        check_transition(IncidentState.OPEN, IncidentState.CLOSED, note="  ")


def test_records_are_kept_two_years_after_closing() -> None:
    """Retention runs 730 days from closing; an open incident is kept indefinitely (R32)."""
    assert retain_until(NOW) == NOW + timedelta(days=730)
    assert retain_until(None) is None


def test_2007_clock_holds_customer_notice_until_seven_full_business_days_after_the_report() -> None:
    """Report within 7 business days; customers not before 7 full business days after it (R35)."""
    waiting = breach_clock(BreachRule.RULE_2007, determined_at=NOW, now=NOW)
    assert waiting.agencies == ("USSS", "FBI")
    assert waiting.customer_notice_earliest is None and not waiting.customer_notice_allowed
    reported = NOW + timedelta(days=1)  # Tuesday 3 March
    clock = breach_clock(
        BreachRule.RULE_2007, determined_at=NOW, now=reported, agency_notified_at=reported
    )
    # Tue 3 Mar + 7 full business days = Thu 12 Mar; hold lifts 00:00 ET Fri 13 Mar (04:00 UTC).
    assert clock.customer_notice_earliest == datetime(2026, 3, 13, 4, 0, tzinfo=UTC)
    assert not clock.customer_notice_allowed


def test_2007_report_deadline_and_overdue() -> None:
    """Determined Mon 2 Mar: the report is overdue after 23:59 ET Wed 11 Mar (R35)."""
    clock = breach_clock(
        BreachRule.RULE_2007, determined_at=NOW, now=datetime(2026, 3, 12, 5, tzinfo=UTC)
    )
    assert clock.agency_deadline == datetime(2026, 3, 12, 3, 59, 59, 999999, tzinfo=UTC)
    assert clock.agency_overdue


def test_2007_urgent_override_allows_notice_once_the_report_is_sent() -> None:
    """With an urgent-need reason, customers may be told as soon as the report is sent (R35)."""
    clock = breach_clock(
        BreachRule.RULE_2007,
        determined_at=NOW,
        now=NOW,
        agency_notified_at=NOW,
        override_reason="active SIM-swap fraud; USSS agent consulted",
    )
    assert clock.customer_notice_earliest == NOW and clock.customer_notice_allowed


def test_an_agency_directed_delay_always_wins() -> None:
    """A written agency delay pushes customer notice back, even with an override (R35)."""
    delay = NOW + timedelta(days=30)
    clock = breach_clock(
        BreachRule.RULE_2007,
        determined_at=NOW,
        now=NOW,
        agency_notified_at=NOW,
        agency_delay_until=delay,
        override_reason="urgent",
    )
    assert clock.customer_notice_earliest == delay


def test_2023_rule_reports_to_the_fcc_too_and_sets_a_30_day_customer_deadline() -> None:
    """Under FCC 23-111 the FCC joins the report and customers are told within 30 days (R36)."""
    clock = breach_clock(BreachRule.RULE_2023, determined_at=NOW, now=NOW, agency_notified_at=NOW)
    assert clock.agencies == ("FCC", "USSS", "FBI")
    assert clock.customer_notice_deadline == NOW + timedelta(days=30)
    assert clock.customer_notice_allowed  # no mandatory waiting period


def test_2023_small_harmless_breach_goes_to_the_annual_summary() -> None:
    """Under 500 customers and no likely harm: annual summary by 1 February, no customer notice."""
    clock = breach_clock(
        BreachRule.RULE_2023,
        determined_at=NOW,
        now=NOW + timedelta(days=20),
        customers_affected=12,
        harm_likely=False,
    )
    assert clock.annual_summary_only and clock.annual_summary_due == date(2027, 2, 1)
    assert not clock.customer_notice_required and not clock.agency_overdue
