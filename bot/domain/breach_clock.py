"""The breach-notification clock of 47 CFR 64.2011 (R35, and R36 behind a feature flag).

Once a breach is reasonably determined, :func:`breach_clock` gives the deadlines of the rule in
force: the 2007 text (R35, the default) or the amended FCC 23-111 text (R36,
``CPNI_BREACH_RULE=2023``). Business days come from :mod:`bot.domain.business_days`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from bot.domain.business_days import end_of_business_days, start_after_full_business_days

__all__ = ["BreachClock", "BreachRule", "breach_clock"]

_NOTICE_BUSINESS_DAYS = 7
_CUSTOMER_NOTICE_DAYS_2023 = timedelta(days=30)
_SMALL_BREACH_CUSTOMERS = 500


class BreachRule(StrEnum):
    """Which text of 47 CFR 64.2011 the clock follows."""

    RULE_2007 = "2007"
    RULE_2023 = "2023"


@dataclass(frozen=True, slots=True, kw_only=True)
class BreachClock:
    """The notice deadlines of a determined breach, under one rule.

    Attributes:
        rule: the rule text followed.
        agencies: who gets the breach report.
        agency_deadline: last instant for the report (UTC).
        agency_overdue: the deadline passed with no report recorded.
        customer_notice_required: False when the 2023 rule exempts it (harm not likely).
        customer_notice_earliest: when customers may be told; None while that waits on the
            agency report (2007: the hold counts from the report).
        customer_notice_deadline: the latest date for the customer notice (2023 only).
        customer_notice_allowed: customers may be told at ``now``.
        annual_summary_only: a 2023 small breach (< 500 customers, no harm likely) that goes
            into the annual summary instead of a per-breach report.
        annual_summary_due: 1 February after the year of determination, for such a breach.
        notes: plain explanations with R-numbers, for the officer.
    """

    rule: BreachRule
    agencies: tuple[str, ...]
    agency_deadline: datetime
    agency_overdue: bool
    customer_notice_required: bool
    customer_notice_earliest: datetime | None
    customer_notice_deadline: datetime | None
    customer_notice_allowed: bool
    annual_summary_only: bool
    annual_summary_due: date | None
    notes: tuple[str, ...]


def breach_clock(
    rule: BreachRule,
    *,
    determined_at: datetime,
    now: datetime,
    agency_notified_at: datetime | None = None,
    agency_delay_until: datetime | None = None,
    override_reason: str | None = None,
    customers_affected: int | None = None,
    harm_likely: bool | None = None,
) -> BreachClock:
    """The deadlines for a breach determined at ``determined_at`` (R35 or R36).

    Args:
        rule: which text of 64.2011 applies (``CPNI_BREACH_RULE``).
        determined_at: when the breach was reasonably determined.
        now: the current time.
        agency_notified_at: when the law-enforcement (and, 2023, FCC) report was sent.
        agency_delay_until: an investigating agency's written direction to delay customer
            notice, which always wins (64.2011(b)(3)).
        override_reason: 2007 only: the extraordinarily urgent need flagged in the report,
            after consulting the agency (64.2011(b)(2)).
        customers_affected: approximate number of customers affected, if known.
        harm_likely: whether harm is reasonably likely; None while unknown.
    """
    deadline = end_of_business_days(determined_at, _NOTICE_BUSINESS_DAYS)
    if rule is BreachRule.RULE_2007:
        return _clock_2007(deadline, now, agency_notified_at, agency_delay_until, override_reason)
    return _clock_2023(
        deadline,
        determined_at=determined_at,
        now=now,
        agency_notified_at=agency_notified_at,
        agency_delay_until=agency_delay_until,
        customers_affected=customers_affected,
        harm_likely=harm_likely,
    )


def _later(first: datetime | None, second: datetime | None) -> datetime | None:
    if first is None or second is None:
        return first or second
    return max(first, second)


def _clock_2007(
    deadline: datetime,
    now: datetime,
    notified: datetime | None,
    delay_until: datetime | None,
    override_reason: str | None,
) -> BreachClock:
    notes = [
        "Report to the USSS and FBI through the FCC's central reporting facility within "
        "7 business days of determination (R35, 64.2011(b)).",
    ]
    earliest: datetime | None = None
    if notified is not None:
        if override_reason:
            earliest = notified
            notes.append(
                "Early customer notice: urgent need flagged in the report and the agency "
                f"consulted (64.2011(b)(2)): {override_reason}"
            )
        else:
            earliest = start_after_full_business_days(notified, _NOTICE_BUSINESS_DAYS)
            notes.append(
                "Customer notice held until 7 full business days after the report "
                "(R35, 64.2011(b)(1))."
            )
        if delay_until is not None:
            notes.append("An investigating agency directed a delay (64.2011(b)(3)).")
        earliest = _later(earliest, delay_until)
    else:
        notes.append("Customer notice waits until the law-enforcement report is sent (R35).")
    return BreachClock(
        rule=BreachRule.RULE_2007,
        agencies=("USSS", "FBI"),
        agency_deadline=deadline,
        agency_overdue=notified is None and now > deadline,
        customer_notice_required=True,
        customer_notice_earliest=earliest,
        customer_notice_deadline=None,
        customer_notice_allowed=earliest is not None and now >= earliest,
        annual_summary_only=False,
        annual_summary_due=None,
        notes=tuple(notes),
    )


def _clock_2023(
    deadline: datetime,
    *,
    determined_at: datetime,
    now: datetime,
    agency_notified_at: datetime | None,
    agency_delay_until: datetime | None,
    customers_affected: int | None,
    harm_likely: bool | None,
) -> BreachClock:
    no_harm = harm_likely is False
    small = customers_affected is not None and customers_affected < _SMALL_BREACH_CUSTOMERS
    summary_only = small and no_harm
    notes = [
        "Report to the FCC, USSS and FBI within 7 business days of determination "
        "(R36, amended 64.2011(a)).",
    ]
    if summary_only:
        notes.append(
            "Fewer than 500 customers and no harm reasonably likely: goes in the annual "
            "summary due 1 February instead of a per-breach report (R36)."
        )
    if no_harm:
        notes.append("Customer notice not required: harm is not reasonably likely (R36).")
    else:
        notes.append(
            "Customer notice without unreasonable delay after the agency report and within "
            "30 days of determination, unless law enforcement asks for a delay (R36)."
        )
    earliest = _later(agency_notified_at, agency_delay_until) if agency_notified_at else None
    return BreachClock(
        rule=BreachRule.RULE_2023,
        agencies=("FCC", "USSS", "FBI"),
        agency_deadline=deadline,
        agency_overdue=agency_notified_at is None and not summary_only and now > deadline,
        customer_notice_required=not no_harm,
        customer_notice_earliest=earliest,
        customer_notice_deadline=None if no_harm else determined_at + _CUSTOMER_NOTICE_DAYS_2023,
        customer_notice_allowed=earliest is not None and now >= earliest,
        annual_summary_only=summary_only,
        annual_summary_due=date(determined_at.year + 1, 2, 1) if summary_only else None,
        notes=tuple(notes),
    )
