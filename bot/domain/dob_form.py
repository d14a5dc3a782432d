"""Canonical forms of a date of birth, so a PIN can be checked against a DOB held only hashed.

The account side never keeps the DOB in clear (R14 needs it only to refuse derived PINs). It
keeps keyed hashes, and the PIN policy asks a checker whether a *form* is on file:

``dob:md:MM-DD``        from MMDD or DDMM inside the PIN
``dob:y:YYYY``          from YYYY
``dob:my:MM-YY``        from MMYY or YYMM
``dob:ymd2:YY-MM-DD``   from MMDDYY, DDMMYY or YYMMDD
``dob:ymd:YYYY-MM-DD``  from MMDDYYYY, DDMMYYYY or YYYYMMDD (also the canonical full date)

Two storage designs work. Either store a keyed hash of every ``dob_forms(dob)`` entry (five
per account; the checker hashes the candidate form and looks it up), or store one keyed hash of
``dob_full_form(dob)`` and wrap a date check with ``dob_checker``, which expands each candidate
form into the full dates it stands for (at most 366 per form, a few milliseconds of HMAC).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterator
from datetime import date

__all__ = ["dob_candidates", "dob_checker", "dob_forms", "dob_full_form"]


def dob_full_form(born: date) -> str:
    """Return the canonical full-date form, ``dob:ymd:YYYY-MM-DD``, for a single keyed hash."""
    return f"dob:ymd:{born.year:04d}-{born.month:02d}-{born.day:02d}"


def dob_forms(born: date) -> frozenset[str]:
    """Return the five canonical forms of a date of birth, to be hashed and stored."""
    mm, dd, yyyy = f"{born.month:02d}", f"{born.day:02d}", f"{born.year:04d}"
    return frozenset(
        {
            f"dob:md:{mm}-{dd}",
            f"dob:y:{yyyy}",
            f"dob:my:{mm}-{yyyy[2:]}",
            f"dob:ymd2:{yyyy[2:]}-{mm}-{dd}",
            dob_full_form(born),
        }
    )


def dob_candidates(pin: str) -> frozenset[str]:
    """Return every canonical DOB form some run of the PIN's digits could encode."""
    found: set[str] = set()
    for w in _windows(pin, 4):
        found.add(f"dob:y:{w}")
        found.update({f"dob:md:{w[:2]}-{w[2:]}", f"dob:md:{w[2:]}-{w[:2]}"})  # MMDD, DDMM
        found.update({f"dob:my:{w[:2]}-{w[2:]}", f"dob:my:{w[2:]}-{w[:2]}"})  # MMYY, YYMM
    for size, y in ((6, 2), (8, 4)):
        kind = "ymd2" if y == 2 else "ymd"
        for w in _windows(pin, size):
            found.add(f"dob:{kind}:{w[4:]}-{w[:2]}-{w[2:4]}")  # MMDDYY(YY)
            found.add(f"dob:{kind}:{w[4:]}-{w[2:4]}-{w[:2]}")  # DDMMYY(YY)
            found.add(f"dob:{kind}:{w[:y]}-{w[y : y + 2]}-{w[y + 2 :]}")  # YY(YY)MMDD
    return frozenset(found)


def dob_checker(is_dob: Callable[[date], bool], *, years: range) -> Callable[[str], bool]:
    """Adapt a check of full dates (one keyed hash of the DOB) into a checker of forms.

    Args:
        is_dob: whether a full date is the account's DOB, e.g. by comparing the keyed hash of
            ``dob_full_form(candidate)`` with the stored one in constant time.
        years: the birth years worth considering, e.g. ``range(1900, today.year + 1)``.

    Returns:
        A checker for ``AccountFacts.dob_matches`` that asks ``is_dob`` about every full date
        within ``years`` that a form stands for.

    Raises:
        ValueError: ``years`` starts before year 1.
    """
    if years.start < 1:
        raise ValueError("years must start at year 1 or later")
    return lambda form: any(is_dob(d) for d in _dates_for(form, years))


def _dates_for(form: str, years: range) -> Iterator[date]:
    """The full dates in ``years`` that a canonical form stands for (none if malformed)."""
    _, kind, value = [*form.split(":"), "", ""][:3]
    parts = value.split("-")
    if not all(p.isascii() and p.isdigit() for p in parts):
        return
    numbers = [int(p) for p in parts]
    if kind == "ymd" and len(numbers) == 3:
        yield from _valid(numbers[0], numbers[1], numbers[2], years)
    elif kind == "ymd2" and len(numbers) == 3:
        for year in (y for y in years if y % 100 == numbers[0]):
            yield from _valid(year, numbers[1], numbers[2], years)
    elif kind == "md" and len(numbers) == 2:
        for year in years:
            yield from _valid(year, numbers[0], numbers[1], years)
    elif kind == "my" and len(numbers) == 2 and 1 <= numbers[0] <= 12:
        for year in (y for y in years if y % 100 == numbers[1]):
            for day in range(1, calendar.monthrange(year, numbers[0])[1] + 1):
                yield date(year, numbers[0], day)
    elif kind == "y" and len(numbers) == 1 and numbers[0] in years:
        for month in range(1, 13):
            for day in range(1, calendar.monthrange(numbers[0], month)[1] + 1):
                yield date(numbers[0], month, day)


def _valid(year: int, month: int, day: int, years: range) -> Iterator[date]:
    if year in years and 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]:
        yield date(year, month, day)


def _windows(pin: str, size: int) -> Iterator[str]:
    return (pin[i : i + size] for i in range(len(pin) - size + 1))
