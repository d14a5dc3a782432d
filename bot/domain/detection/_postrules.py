"""Rules applied to a message's findings after the recognizers ran.

R3 (directory listings are not CPNI), identifier mentions that only describe a change, and
the best finding per span. Pure functions over raw findings.
"""

from __future__ import annotations

import re

from bot.domain.detection import _signals
from bot.domain.detection._entities import EntityFinder, EntityKind
from bot.domain.detection._specs import RawFinding
from bot.domain.detection._text import NormalizedText
from bot.domain.detection.model import Category, Signal

__all__ = [
    "apply_directory_rule",
    "best_per_span",
    "directory_mentioned",
    "drop_identifiers_of_changes",
]

# R3: directory listings must not lock a thread on their own; in a sentence about the
# directory, identifier and address findings are dropped.
_DIRECTORY_SUPPRESSES = frozenset(
    {Category.ACCOUNT_IDENTIFIERS, Category.ADDRESS_CHANGE, Category.PORT_OR_SIM}
)

_CHANGE_CATEGORIES = frozenset({Category.ADDRESS_CHANGE, Category.CREDENTIAL_CHANGE})
# Identifier patterns that carry the value itself: kept next to a change.
_IDENTIFIER_VALUES = frozenset(
    {
        "pin_value",
        "password_value",
        "identifier_with_value",
        "labelled_account_number",
        "changed_from_value",
    }
)
_ACCOUNT_NUMBER_WORDS = re.compile(r"\b(?:account|acct)\s{0,3}(?:number|no\b|#)")
_VALUE_ENTITIES = (EntityKind.STREET, EntityKind.EMAIL, EntityKind.PHONE)


def directory_mentioned(norm: NormalizedText) -> bool:
    """Tell whether the message talks about a published directory listing (R3)."""
    words = _signals.DIRECTORY_WORDS
    return not (
        words is None
        or _signals.DIRECTORY_ANCHORS.isdisjoint(norm.tokens)
        or words.search(norm.text) is None
    )


def apply_directory_rule(
    raws: list[RawFinding], norm: NormalizedText, signals: set[Signal]
) -> list[RawFinding]:
    """Drop identifier, address and port findings in sentences about the directory (R3)."""
    words = _signals.DIRECTORY_WORDS
    if words is None or not directory_mentioned(norm):
        return raws
    signals.add(Signal.DIRECTORY_LISTING)
    return [
        r
        for r in raws
        if r.category not in _DIRECTORY_SUPPRESSES or words.search(norm.text, *r.sentence) is None
    ]


def drop_identifiers_of_changes(
    raws: list[RawFinding], norm: NormalizedText, entities: EntityFinder
) -> list[RawFinding]:
    """Drop identifier mentions that only describe a change in the same sentence.

    "Change the e-mail on my account from A to B", "a text saying my account PIN was
    changed", "read the code back and I'll set a new PIN": the sentence is about the change
    (its own category); the old value or the destination of a code is not a disclosure of
    account information. Kept: a stated value (PIN, account number, the old address named
    in "from A to B", an address confirmed "on file (88 Ridge Rd)") and a separate ask for
    the account number.
    """
    changes = [r.sentence for r in raws if r.category in _CHANGE_CATEGORIES]
    if not changes:
        return raws
    return [r for r in raws if not _describes_change(r, changes, norm, entities)]


def _describes_change(
    raw: RawFinding,
    changes: list[tuple[int, int]],
    norm: NormalizedText,
    entities: EntityFinder,
) -> bool:
    if (
        raw.category is not Category.ACCOUNT_IDENTIFIERS
        or raw.pattern in _IDENTIFIER_VALUES
        or raw.pattern.startswith("format_")
        or not any(lo < raw.sentence[1] and raw.sentence[0] < hi for lo, hi in changes)
    ):
        return False
    if _ACCOUNT_NUMBER_WORDS.search(norm.text, raw.start, raw.end):
        return False
    after = (raw.end, min(raw.sentence[1], raw.end + 40))
    return not any(entities.has(kind, *after) for kind in _VALUE_ENTITIES)


def best_per_span(raws: list[RawFinding]) -> list[RawFinding]:
    """Keep the best finding among overlapping findings of the same category."""
    kept: list[RawFinding] = []
    for raw in sorted(raws, key=lambda r: (-r.score, r.start)):
        if not any(
            k.category == raw.category and k.start < raw.end and raw.start < k.end for k in kept
        ):
            kept.append(raw)
    return sorted(kept, key=lambda r: (r.start, r.category.value))
