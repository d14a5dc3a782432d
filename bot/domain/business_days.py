"""US federal business days, for the breach-notification clocks (R35, R36).

47 CFR 64.2011 counts "business days". We read that as Monday to Friday except the legal public
holidays of 5 U.S.C. 6103(a), on the dates they are observed by federal offices: a holiday that
falls on a Saturday is observed the Friday before, one on a Sunday the Monday after
(Executive Order 11582). Juneteenth is a holiday from 2021 (Pub. L. 117-17). Every date is
computed by rule, so no table needs updating each year. Counsel should confirm the reading; the
clocks cite the rule, not legal advice (cpni-rules.md, status line).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

__all__ = [
    "FCC_ZONE",
    "add_business_days",
    "end_of_business_days",
    "federal_holidays",
    "is_business_day",
    "start_after_full_business_days",
]

#: Business days are counted on the calendar of the FCC's seat (Washington, DC).
FCC_ZONE = ZoneInfo("America/New_York")

_MONDAY, _THURSDAY = 0, 3
_SATURDAY, _SUNDAY = 5, 6


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The ``n``-th ``weekday`` of the month (``n = -1``: the last one)."""
    if n > 0:
        first = date(year, month, 1)
        offset = (weekday - first.weekday()) % 7
        return first + timedelta(days=offset + 7 * (n - 1))
    last = (date(year, month + 1, 1) if month < 12 else date(year + 1, 1, 1)) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _actual_holidays(year: int) -> dict[date, str]:
    """The holidays of 5 U.S.C. 6103(a) on their calendar dates (before weekend shifting)."""
    days = {
        date(year, 1, 1): "New Year's Day",
        _nth_weekday(year, 2, _MONDAY, 3): "Washington's Birthday",
        _nth_weekday(year, 5, _MONDAY, -1): "Memorial Day",
        date(year, 7, 4): "Independence Day",
        _nth_weekday(year, 9, _MONDAY, 1): "Labor Day",
        _nth_weekday(year, 10, _MONDAY, 2): "Columbus Day",
        date(year, 11, 11): "Veterans Day",
        _nth_weekday(year, 11, _THURSDAY, 4): "Thanksgiving Day",
        date(year, 12, 25): "Christmas Day",
    }
    if year >= 1986:
        days[_nth_weekday(year, 1, _MONDAY, 3)] = "Birthday of Martin Luther King, Jr."
    if year >= 2021:
        days[date(year, 6, 19)] = "Juneteenth National Independence Day"
    return days


def _observed(day: date) -> date:
    if day.weekday() == _SATURDAY:
        return day - timedelta(days=1)
    if day.weekday() == _SUNDAY:
        return day + timedelta(days=1)
    return day


@lru_cache(maxsize=64)
def _observed_holidays(year: int) -> dict[date, str]:
    # New Year's Day of year+1 falling on a Saturday is observed on 31 December of ``year``.
    result: dict[date, str] = {}
    for source_year in (year, year + 1):
        for day, name in _actual_holidays(source_year).items():
            observed = _observed(day)
            if observed.year == year:
                result[observed] = name if observed == day else f"{name} (observed)"
    return dict(sorted(result.items()))


def federal_holidays(year: int) -> dict[date, str]:
    """The dates federal offices are closed for a holiday in ``year``, with their names.

    Observed dates replace weekend dates; a name carries "(observed)" when shifted.
    """
    return dict(_observed_holidays(year))


def is_business_day(day: date) -> bool:
    """Whether ``day`` is a weekday that is not an observed federal holiday."""
    return day.weekday() < _SATURDAY and day not in _observed_holidays(day.year)


def add_business_days(start: date, days: int) -> date:
    """The ``days``-th business day after ``start`` (``start`` itself never counts).

    Args:
        start: the day the period starts from (e.g. the day a breach was determined).
        days: how many business days to count, at least 0 (0 returns ``start``).
    """
    if days < 0:
        raise ValueError("days must be >= 0")
    current, counted = start, 0
    while counted < days:
        current += timedelta(days=1)
        if is_business_day(current):
            counted += 1
    return current


def end_of_business_days(moment: datetime, days: int, *, zone: ZoneInfo = FCC_ZONE) -> datetime:
    """The last instant (as UTC) of the ``days``-th business day after ``moment``'s local date.

    "Within 7 business days after determination" (R35) ends at midnight closing the 7th
    business day after the day of determination, on the FCC's calendar.
    """
    last = add_business_days(moment.astimezone(zone).date(), days)
    closing = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)
    return (closing - timedelta(microseconds=1)).astimezone(UTC)


def start_after_full_business_days(
    moment: datetime, days: int, *, zone: ZoneInfo = FCC_ZONE
) -> datetime:
    """The first instant (as UTC) after ``days`` *full* business days have passed since ``moment``.

    The day of ``moment`` is not a full day, so counting starts the next day: a notice sent on
    a Monday with no holidays near has its 7th full business day on the Wednesday of the next
    week, and the hold lifts at midnight starting that Thursday (R35, 64.2011(b)(1)).
    """
    last = add_business_days(moment.astimezone(zone).date(), days)
    return datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
