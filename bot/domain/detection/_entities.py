"""Entities that patterns can require or use as context: phones, times, amounts, addresses.

Entities are found lazily, once per message, and only when a pattern asks for them. Phone
numbers are recognised by the ``phonenumbers`` library's matcher, run only on short digit
clusters (at most ``max_candidates`` per message) so a long digit run costs linear time.
"""

from __future__ import annotations

import bisect
import enum
import re
from collections.abc import Sequence

import phonenumbers

__all__ = ["EntityFinder", "EntityKind", "PhoneFinder"]


class EntityKind(enum.StrEnum):
    """A kind of entity a pattern can require in its sentence or use as context."""

    PHONE = "phone"
    WHEN = "when"
    DURATION = "duration"
    MONEY = "money"
    DATA_AMOUNT = "data_amount"
    EMAIL = "email"
    STREET = "street"
    ACCOUNT_NUMBER = "account_number"


_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]{0,6}\.?"
_DAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?"
_FULL_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_REGEXES: dict[EntityKind, re.Pattern[str]] = {
    # Each regex starts with a lookahead that every match satisfies (a word start, a digit,
    # a "$"): it rejects most positions in one step, so matches are unchanged but a 100 KB
    # digit-heavy input is scanned faster.
    EntityKind.WHEN: re.compile(
        r"(?<!\w)(?=\w)(?:"
        r"\b\d{1,2}(?::\d{2})?\s?(?:am|pm|a\.m\.|p\.m\.)"
        r"|\b\d{1,2}:\d{2}\b"
        r"|\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b"
        r"|\b\d{4}-\d{2}-\d{2}\b"
        rf"|\b{_MONTH}\s{{1,3}}\d{{1,2}}(?:st|nd|rd|th)?\b"
        rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s{{1,3}}(?:of\s{{1,3}})?{_MONTH}"
        r"|\bon the \d{1,2}(?:st|nd|rd|th)\b"
        rf"|\b(?:yesterday|last night|this morning|tonight|midnight|overnight|noon"
        rf"|last (?:week|month|weekend|{_DAY})|on {_DAY}|(?:this|last) (?:billing )?cycle"
        rf"|{_FULL_DAY}(?: (?:morning|afternoon|evening|night))?"
        rf"|(?:this|yesterday) (?:afternoon|evening)|(?:middle|dead) of the night"
        rf"|earlier today|the other (?:day|night)|christmas(?: day| eve)?|new year'?s(?: eve)?"
        rf"|thanksgiving)\b)"
    ),
    EntityKind.DURATION: re.compile(
        r"(?=\d)\b\d{1,4}(?:\.\d{1,2})?\s?(?:-\s?)?"
        r"(?:min|mins|minutes?|sec|secs|seconds?|hrs?|hours?)\b"
    ),
    EntityKind.MONEY: re.compile(
        r"(?=[$\d])(?:\$\s?\d{1,7}(?:,\d{3}){0,3}(?:\.\d{1,2})?"
        r"|\b\d{1,7}\.\d{2}\b"
        r"|\b\d{1,7}\s?(?:dollars|bucks|usd)\b)"
    ),
    EntityKind.DATA_AMOUNT: re.compile(
        r"(?=\d)\b\d{1,5}(?:\.\d{1,2})?\s?(?:gb|gigs?|mb|tb|gigabytes?|megabytes?|texts|minutes)\b"
    ),
    EntityKind.EMAIL: re.compile(r"[\w.*+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,4}"),
    EntityKind.STREET: re.compile(
        r"(?=\d)\b\d{1,6}\s{1,3}(?:[a-z]{1,20}\.?\s{1,3}){1,3}"
        r"(?:st|street|ave|avenue|rd|road|blvd|boulevard|dr|drive|ln|lane|ct|court|way|pl"
        r"|place|pkwy|parkway|hwy|highway|cir|circle|ter|terrace|trl|trail)\b"
    ),
}
# A digit cluster that may hold a phone number: a run of digits and separators, bounded so a
# 100 KB digit run is cut into short pieces instead of being matched as a whole.
# It holds at least 7 digits (the shortest local number) by construction, so no counting.
_CLUSTER = re.compile(r"\+?\(?\d(?:[\s().-]{0,3}\d){6,14}")
_DIGIT = re.compile(r"\d")


class PhoneFinder:
    """Finds phone numbers with the ``phonenumbers`` matcher, bounded per message.

    Args:
        region: the ISO 3166 region used for numbers written without a country code.
        leniency: ``possible`` (shape and length only) or ``valid`` (assigned ranges only).
        max_candidates: the most digit clusters checked in one message.
    """

    def __init__(self, *, region: str, leniency: str, max_candidates: int) -> None:
        self._region = region
        self._leniency = (
            phonenumbers.Leniency.VALID if leniency == "valid" else phonenumbers.Leniency.POSSIBLE
        )
        self._max = max_candidates

    def find(self, text: str) -> list[tuple[int, int]]:
        """Return the spans of phone numbers in a text.

        Args:
            text: normalised message text.

        Returns:
            Spans (start, end) of the numbers found, in text order.
        """
        spans: list[tuple[int, int]] = []
        for n, cluster in enumerate(_CLUSTER.finditer(text)):
            if n >= self._max:
                break
            piece = cluster.group()
            matcher = phonenumbers.PhoneNumberMatcher(
                piece, self._region, leniency=self._leniency, max_tries=4
            )
            spans.extend((cluster.start() + m.start, cluster.start() + m.end) for m in matcher)
        return spans


class EntityFinder:
    """Lazily finds and caches the entities of one message.

    Args:
        text: the normalised message text.
        phones: the phone finder to use.
        account_formats: compiled account number formats from the policy.
    """

    __slots__ = ("_account_formats", "_cache", "_clusters", "_phones", "_text")

    def __init__(
        self, text: str, *, phones: PhoneFinder, account_formats: Sequence[re.Pattern[str]]
    ) -> None:
        self._text = text
        self._phones = phones
        self._account_formats = account_formats
        self._cache: dict[EntityKind, list[tuple[int, int]]] = {}
        self._clusters: list[int] | None = None

    def spans(self, kind: EntityKind) -> list[tuple[int, int]]:
        """Return the spans of one entity kind, finding them on first use.

        Args:
            kind: the entity kind.

        Returns:
            Spans (start, end) in the normalised text.
        """
        found = self._cache.get(kind)
        if found is None:
            found = sorted(self._find(kind))
            self._cache[kind] = found
        return found

    def _find(self, kind: EntityKind) -> list[tuple[int, int]]:
        text = self._text
        if kind is EntityKind.PHONE:
            return self._phones.find(text) if _DIGIT.search(text) else []
        if kind is EntityKind.ACCOUNT_NUMBER:
            return [m.span() for rx in self._account_formats for m in rx.finditer(text)]
        if kind is not EntityKind.EMAIL and not _DIGIT.search(text):
            return []
        return [m.span() for m in _REGEXES[kind].finditer(text)]

    def _has_cluster(self, lo: int, hi: int) -> bool:
        """Cheaply tell whether a digit cluster long enough for a phone number is in a region."""
        if self._clusters is None:
            self._clusters = [m.start() for m in _CLUSTER.finditer(self._text)]
        i = bisect.bisect_left(self._clusters, max(0, lo - 30))
        return i < len(self._clusters) and self._clusters[i] < hi

    def maybe(self, kind: EntityKind) -> bool:
        """Tell cheaply whether the message may hold an entity of a kind (a prefilter).

        For phone numbers only the digit clusters are looked at; the phone matcher runs
        later, for a region, when a pattern has matched.

        Args:
            kind: the entity kind.

        Returns:
            False when the message certainly holds none.
        """
        if kind is EntityKind.PHONE:
            return self._has_cluster(0, len(self._text))
        return bool(self.spans(kind))

    def anywhere(self, kind: EntityKind) -> bool:
        """Tell whether the message has an entity of a kind at all (cheap for phones).

        Args:
            kind: the entity kind.

        Returns:
            True when at least one entity of that kind is in the message.
        """
        if kind is EntityKind.PHONE and not self._has_cluster(0, len(self._text)):
            return False
        return bool(self.spans(kind))

    def has(self, kind: EntityKind, lo: int, hi: int, *, exclude: tuple[int, int] = (0, 0)) -> bool:
        """Tell whether an entity of a kind lies inside ``[lo, hi)``.

        Args:
            kind: the entity kind.
            lo: region start.
            hi: region end.
            exclude: a span (usually the match itself) whose entities do not count.

        Returns:
            True when an entity of that kind lies fully inside the region.
        """
        if kind is EntityKind.PHONE and not self._has_cluster(lo, hi):
            return False
        spans = self.spans(kind)
        i = bisect.bisect_left(spans, (lo, -1))
        while i < len(spans) and spans[i][0] < hi:
            s, e = spans[i]
            if e <= hi and not (exclude[0] <= s and e <= exclude[1]):
                return True
            i += 1
        return False
