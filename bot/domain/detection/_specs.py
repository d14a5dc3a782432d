"""Recognizer declarations: patterns, specs, raw findings and compiled word lists.

Split from :mod:`bot.domain.detection.recognizer` (which compiles and runs them) so each
module stays small; everything here is re-exported there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.domain.detection._entities import EntityFinder, EntityKind
from bot.domain.detection._text import normalize_phrase
from bot.domain.detection._words import WordList
from bot.domain.detection.model import Category

__all__ = [
    "ANY_DIGIT",
    "MAX_CANDIDATES_PER_PATTERN",
    "MAX_FINDINGS_PER_PATTERN",
    "CompiledPattern",
    "MatchContext",
    "PatternSpec",
    "RawFinding",
    "RecognizerSpec",
    "Validator",
    "compile_words",
    "word_list",
]


ANY_DIGIT = "<digit>"
"""A pseudo word for ``anchors`` and ``also``: present when the message holds a digit."""


@dataclass(frozen=True, slots=True)
class MatchContext:
    """What a validator sees of a match (normalised text, never passed on).

    Attributes:
        text: the normalised message text.
        start: match start.
        end: match end.
        sentence: (start, end) of the sentence holding the match.
        entities: the message's entity finder.
    """

    text: str
    start: int
    end: int
    sentence: tuple[int, int]
    entities: EntityFinder


MAX_FINDINGS_PER_PATTERN = 8
"""The most findings one pattern reports in one message."""
MAX_CANDIDATES_PER_PATTERN = 256
"""The most matches of one pattern scored in one message (bounds adversarial input)."""

Validator = Callable[[MatchContext], bool]
"""A hook that returns False to reject a match (Presidio's ``invalidate_result``)."""


@dataclass(frozen=True, slots=True)
class PatternSpec:
    """One named pattern of a recognizer.

    Attributes:
        name: the pattern's name, shown in explanations.
        regex: the pattern, matched against NFKC case-folded text. It must be linear-time
            in practice: bounded repeats only, no nested unbounded quantifiers.
        score: the base score from 0 to 1.
        anchors: word tokens of which at least one must be in the message for the pattern
            to run at all (a cheap prefilter); empty means always run.
        also: a second group of word tokens of which one must also be in the message (for
            "verb ... noun" patterns: the verbs as anchors, the nouns here); empty: no check.
        requires: entity kinds that must all be in the match's sentence.
        negative: words and phrases that cancel this pattern's match in the same sentence.
        validators: hooks that may reject a match.
        digit_run: a run of this many digits must be in the message for the pattern to
            run (0: no check); worked out from account number formats.
    """

    name: str
    regex: str
    score: float
    anchors: tuple[str, ...] = ()
    also: tuple[str, ...] = ()
    requires: tuple[EntityKind, ...] = ()
    negative: tuple[str, ...] = ()
    validators: tuple[Validator, ...] = ()
    digit_run: int = 0


@dataclass(frozen=True, slots=True)
class RecognizerSpec:
    """A recognizer as data: what it looks for and what raises or cancels a match.

    Attributes:
        name: the registry name, shown in explanations.
        category: the category its findings belong to.
        patterns: the named patterns.
        context: words and phrases that raise a nearby match's score.
        negative: words and phrases that cancel a match in the same sentence.
        context_entities: entity kinds that count as context when near a match.
        disclosure_capable: True when an agent stating this data discloses CPNI.
        requires_digit: True when no pattern can match a text without digits.
        fallback: True for a recall-oriented fallback: it runs only when no other
            recognizer found its category in the message.
    """

    name: str
    category: Category
    patterns: tuple[PatternSpec, ...]
    context: tuple[str, ...] = ()
    negative: tuple[str, ...] = ()
    context_entities: tuple[EntityKind, ...] = ()
    disclosure_capable: bool = False
    requires_digit: bool = False
    fallback: bool = False


@dataclass(frozen=True, slots=True)
class RawFinding:
    """A match before it is mapped to the original text (internal to the detector).

    Attributes:
        recognizer: the recognizer's name.
        category: the category.
        pattern: the pattern's name.
        start: start in the normalised text.
        end: end in the normalised text.
        base_score: the pattern's base score.
        score: the score after context.
        context: the context words and entities that fired.
        sentence: the sentence bounds in the normalised text.
    """

    recognizer: str
    category: Category
    pattern: str
    start: int
    end: int
    base_score: float
    score: float
    context: tuple[str, ...]
    sentence: tuple[int, int]


def compile_words(words: Iterable[str]) -> re.Pattern[str] | None:
    """Compile words and phrases into one whole-word alternation.

    Args:
        words: words or phrases; they are normalised like message text.

    Returns:
        The compiled pattern, or None when there are no words.
    """
    unique = sorted({normalize_phrase(w) for w in words if w.strip()}, key=len, reverse=True)
    if not unique:
        return None
    body = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in unique)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)")


@dataclass(frozen=True, slots=True)
class CompiledPattern:
    """A pattern compiled once (internal to the detector's prescan).

    Attributes:
        spec: the declaration.
        regex: the compiled regex.
        anchors: tokens of which one must be in the message (empty: always run).
        also: tokens of which one must also be in the message (empty: no check).
        negative: the compiled negative words of the pattern and its recognizer.
        cheap_requires: required entity kinds found by one regex (checked first).
        phone_required: True when a phone number is required (checked after the negative
            words: the phone matcher costs far more than a word lookup).
    """

    spec: PatternSpec
    regex: re.Pattern[str]
    anchors: frozenset[str]
    also: frozenset[str]
    negative: WordList | None
    cheap_requires: tuple[EntityKind, ...] = ()
    phone_required: bool = False


def word_list(words: Iterable[str]) -> WordList | None:
    """Compile words and phrases into a token-indexed list.

    Args:
        words: words or phrases; they are normalised like message text.

    Returns:
        The list, or None when there are no words.
    """
    compiled = WordList({normalize_phrase(w) for w in words if w.strip()})
    return compiled if compiled else None
