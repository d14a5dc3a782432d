"""Business-day arithmetic for the breach clock across weekends and US federal holidays (R35)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain.business_days import (
    FCC_ZONE,
    add_business_days,
    end_of_business_days,
    federal_holidays,
    is_business_day,
    start_after_full_business_days,
)

# Dates published in OPM's federal holiday tables, used as an independent check of the rules.
OPM_2026 = [
    date(2026, 1, 1),
    date(2026, 1, 19),
    date(2026, 2, 16),
    date(2026, 5, 25),
    date(2026, 6, 19),
    date(2026, 7, 3),  # 4 July is a Saturday
    date(2026, 9, 7),
    date(2026, 10, 12),
    date(2026, 11, 11),
    date(2026, 11, 26),
    date(2026, 12, 25),
]


def test_2026_holidays_match_the_published_calendar() -> None:
    """The computed 2026 holidays are exactly OPM's list, with 4 July observed on Friday 3 July."""
    assert list(federal_holidays(2026)) == OPM_2026
    assert federal_holidays(2026)[date(2026, 7, 3)] == "Independence Day (observed)"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2021, 12, 31), False),  # New Year's Day 2022 is a Saturday: observed Friday
        (date(2022, 12, 26), False),  # Christmas 2022 is a Sunday: observed Monday
        (date(2021, 6, 18), False),  # Juneteenth's first year: 19 June 2021 is a Saturday
        (date(2020, 6, 19), True),  # no Juneteenth holiday before 2021
        (date(2027, 6, 18), False),  # 19 June 2027 is a Saturday
        (date(2026, 11, 27), True),  # the day after Thanksgiving is a business day
        (date(2026, 3, 7), False),  # a Saturday
        (date(2026, 3, 9), True),  # an ordinary Monday
    ],
)
def test_observed_holidays_and_weekends(day: date, expected: bool) -> None:
    """Weekends and observed holidays (shifted to Friday or Monday) are not business days."""
    assert is_business_day(day) is expected


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 3, 2), 7, date(2026, 3, 11)),  # Mon + 7 with one weekend
        (date(2026, 3, 6), 1, date(2026, 3, 9)),  # Fri + 1 skips the weekend
        (date(2026, 3, 7), 1, date(2026, 3, 9)),  # from a Saturday
        (date(2026, 11, 20), 7, date(2026, 12, 2)),  # across Thanksgiving
        (date(2026, 12, 22), 7, date(2027, 1, 4)),  # across Christmas and New Year
        (date(2026, 6, 30), 3, date(2026, 7, 6)),  # across observed Independence Day (Fri 3 Jul)
        (date(2026, 3, 2), 0, date(2026, 3, 2)),
    ],
)
def test_add_business_days(start: date, days: int, expected: date) -> None:
    """Counting skips weekends and observed federal holidays; the start day never counts."""
    assert add_business_days(start, days) == expected


def test_report_deadline_is_the_end_of_the_seventh_business_day_in_washington() -> None:
    """A breach determined Friday 20 Nov 2026 must be reported by 23:59:59 ET on 2 Dec (R35)."""
    deadline = end_of_business_days(datetime(2026, 11, 20, 15, 0, tzinfo=UTC), 7)
    assert deadline == datetime(2026, 12, 3, 4, 59, 59, 999999, tzinfo=UTC)  # EST = UTC-5


def test_customer_hold_lifts_after_seven_full_business_days() -> None:
    """A report sent Monday 2 Mar 2026 lifts the customer hold at 00:00 ET Thursday 12 Mar (R35)."""
    lifted = start_after_full_business_days(datetime(2026, 3, 2, 23, 0, tzinfo=UTC), 7)
    # 2 Mar 23:00 UTC is still 2 Mar in New York; 12 Mar 00:00 EDT is 04:00 UTC.
    assert lifted == datetime(2026, 3, 12, 4, 0, tzinfo=UTC)


def test_a_late_evening_utc_time_counts_on_the_washington_date() -> None:
    """03:00 UTC on a Saturday is still Friday in Washington, so counting starts from Friday."""
    friday_night = datetime(2026, 3, 7, 3, 0, tzinfo=UTC)
    assert end_of_business_days(friday_night, 1).astimezone(FCC_ZONE).date() == date(2026, 3, 9)


def test_negative_counts_are_refused() -> None:
    """A negative number of business days is a programming error, not a date."""
    with pytest.raises(ValueError, match=">= 0"):
        add_business_days(date(2026, 1, 1), -1)
