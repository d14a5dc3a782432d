"""Declarative recognizers: named patterns with scores, context words and validators.

Modelled on Presidio's ``PatternRecognizer``: a recognizer is data (a :class:`RecognizerSpec`)
and is compiled once into a :class:`Recognizer`. A match's score is its pattern's base score,
raised by ``context_boost`` when a context word or context entity lies near it. A negative
word in the same sentence, a missing required entity or a validator saying no rejects the
match (peers.md complaint 15 asks for exactly this negative context).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from bot.domain.detection._entities import EntityFinder, EntityKind
from bot.domain.detection._prefix import with_first_char_check
from bot.domain.detection._text import NormalizedText, normalize_phrase
from bot.domain.detection._words import WordList, WordScan
from bot.domain.detection.model import Category

__all__ = [
    "CompiledPattern",
    "MatchContext",
    "PatternSpec",
    "RawFinding",
    "Recognizer",
    "RecognizerSpec",
    "Validator",
    "compile_words",
    "word_list",
]


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
    """

    name: str
    regex: str
    score: float
    anchors: tuple[str, ...] = ()
    also: tuple[str, ...] = ()
    requires: tuple[EntityKind, ...] = ()
    negative: tuple[str, ...] = ()
    validators: tuple[Validator, ...] = ()


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
    """

    name: str
    category: Category
    patterns: tuple[PatternSpec, ...]
    context: tuple[str, ...] = ()
    negative: tuple[str, ...] = ()
    context_entities: tuple[EntityKind, ...] = ()
    disclosure_capable: bool = False
    requires_digit: bool = False


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
    """

    spec: PatternSpec
    regex: re.Pattern[str]
    anchors: frozenset[str]
    also: frozenset[str]
    negative: WordList | None


def word_list(words: Iterable[str]) -> WordList | None:
    """Compile words and phrases into a token-indexed list.

    Args:
        words: words or phrases; they are normalised like message text.

    Returns:
        The list, or None when there are no words.
    """
    compiled = WordList({normalize_phrase(w) for w in words if w.strip()})
    return compiled if compiled else None


class Recognizer:
    """A compiled recognizer.

    Args:
        spec: the recognizer's declaration.
        context_boost: added to a match's score when context is found near it.
        window: characters either side of a match searched for context (the sentence is
            always searched).
        extra_context: more context words from the policy.
        extra_negative: more negative words from the policy.
    """

    def __init__(
        self,
        spec: RecognizerSpec,
        *,
        context_boost: float,
        window: int,
        extra_context: Iterable[str] = (),
        extra_negative: Iterable[str] = (),
    ) -> None:
        self.spec = spec
        self._boost = context_boost
        self._window = window
        negative = [*spec.negative, *extra_negative]
        self._patterns = tuple(
            CompiledPattern(
                spec=p,
                regex=re.compile(with_first_char_check(p.regex)),
                anchors=frozenset(p.anchors),
                also=frozenset(p.also),
                negative=word_list([*negative, *p.negative]),
            )
            for p in spec.patterns
        )
        self._context = word_list([*spec.context, *extra_context])
        self.anchors: frozenset[str] | None = (
            None
            if any(not p.anchors for p in spec.patterns)
            else frozenset(a for p in spec.patterns for a in p.anchors)
        )

    def analyze(self, norm: NormalizedText, entities: EntityFinder) -> Iterator[RawFinding]:
        """Yield the matches of this recognizer in one message.

        Args:
            norm: the normalised message.
            entities: the message's entity finder.

        Yields:
            Raw findings, scored, not yet thresholded.
        """
        if self.anchors is not None and self.anchors.isdisjoint(norm.tokens):
            return
        tokens = norm.tokens
        yield from self.run(
            norm,
            entities,
            [
                p
                for p in self._patterns
                if (not p.anchors or not p.anchors.isdisjoint(tokens))
                and (not p.also or not p.also.isdisjoint(tokens))
            ],
        )

    @property
    def patterns(self) -> tuple[CompiledPattern, ...]:
        """The compiled patterns, in declaration order."""
        return self._patterns

    def run(
        self, norm: NormalizedText, entities: EntityFinder, patterns: Iterable[CompiledPattern]
    ) -> list[RawFinding]:
        """Return the matches of some of this recognizer's patterns (already prefiltered).

        Args:
            norm: the normalised message.
            entities: the message's entity finder.
            patterns: the patterns whose anchor words are in the message.

        Returns:
            Raw findings, scored, not yet thresholded.
        """
        results: list[RawFinding] = []
        if self.spec.requires_digit and not norm.has_digit:
            return results
        context: WordScan | None = None
        text = norm.text
        for pattern in patterns:
            if pattern.spec.requires and any(
                not entities.anywhere(kind) for kind in pattern.spec.requires
            ):
                continue
            negative: WordScan | None = None
            kept = 0
            for tried, m in enumerate(pattern.regex.finditer(text)):
                if tried >= MAX_CANDIDATES_PER_PATTERN:
                    break
                if negative is None:
                    # Word scans are set up only once a pattern matches: most do not.
                    negative = WordScan(pattern.negative, norm)
                if context is None:
                    context = WordScan(self._context, norm)
                found = self._score(
                    pattern, m.span(), norm=norm, ents=entities, negative=negative, context=context
                )
                if found is not None:
                    results.append(found)
                    kept += 1
                    if kept >= MAX_FINDINGS_PER_PATTERN:
                        # A message needs only a few findings per pattern to be decided;
                        # stopping keeps adversarial input (one phrase 10,000 times) cheap.
                        break
        return results

    def _score(
        self,
        pattern: CompiledPattern,
        span: tuple[int, int],
        *,
        norm: NormalizedText,
        ents: EntityFinder,
        negative: WordScan,
        context: WordScan,
    ) -> RawFinding | None:
        start, end = span
        spec = pattern.spec
        lo, hi = norm.sentence(start, end)
        if any(not ents.has(kind, lo, hi) for kind in spec.requires):
            return None
        if next(negative.within(lo, hi), None) is not None:
            return None
        if spec.validators:
            ctx = MatchContext(norm.text, start, end, (lo, hi), ents)
            if any(not ok(ctx) for ok in spec.validators):
                return None
        fired = self._context_near(start, end, (lo, hi), ents, context)
        return RawFinding(
            recognizer=self.spec.name,
            category=self.spec.category,
            pattern=spec.name,
            start=start,
            end=end,
            base_score=spec.score,
            score=min(1.0, spec.score + self._boost) if fired else spec.score,
            context=fired,
            sentence=(lo, hi),
        )

    def _context_near(
        self,
        start: int,
        end: int,
        sentence: tuple[int, int],
        ents: EntityFinder,
        context: WordScan,
    ) -> tuple[str, ...]:
        lo, hi = (
            min(sentence[0], max(0, start - self._window)),
            max(sentence[1], end + self._window),
        )
        # Only vocabulary is kept: a match of a literal alternation, with its whitespace
        # collapsed, is exactly one of the configured words. Words inside the match count
        # too ("activate *my* esim" says whose line it is).
        words = {phrase for _, _, phrase in context.within(lo, hi)}
        if not words:
            # Entities are only looked for when no word gave context: finding phone numbers
            # costs far more than a word lookup, and one kind of context is enough.
            for kind in self.spec.context_entities:
                if ents.has(kind, lo, hi, exclude=(start, end)):
                    words.add(f"<{kind.value}>")
                    break
        return tuple(sorted(words))
