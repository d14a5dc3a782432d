"""Declarative recognizers: named patterns with scores, context words and validators.

Modelled on Presidio's ``PatternRecognizer``: a recognizer is data (a :class:`RecognizerSpec`)
and is compiled once into a :class:`Recognizer`. A match's score is its pattern's base score,
raised by ``context_boost`` when a context word or context entity lies near it. A negative
word in the same sentence, a missing required entity or a validator saying no rejects the
match (peers.md complaint 15 asks for exactly this negative context).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from bot.domain.detection._entities import EntityFinder, EntityKind
from bot.domain.detection._prefix import with_first_char_check
from bot.domain.detection._specs import (
    ANY_DIGIT,
    MAX_CANDIDATES_PER_PATTERN,
    MAX_FINDINGS_PER_PATTERN,
    CompiledPattern,
    MatchContext,
    PatternSpec,
    RawFinding,
    RecognizerSpec,
    Validator,
    compile_words,
    word_list,
)
from bot.domain.detection._text import NormalizedText
from bot.domain.detection._words import WordScan

__all__ = [
    "ANY_DIGIT",
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


class Recognizer:
    """A compiled recognizer.

    Args:
        spec: the recognizer's declaration.
        context_boost: added to a match's score when context is found near it.
        window: characters either side of a match searched for context (the sentence is
            always searched).
        extra_context: more context words from the policy.
        extra_negative: more negative words from the policy.
        threshold: the category's threshold; a match below it without context is dropped
            before its negative words are looked up.
    """

    def __init__(
        self,
        spec: RecognizerSpec,
        *,
        context_boost: float,
        window: int,
        extra_context: Iterable[str] = (),
        extra_negative: Iterable[str] = (),
        threshold: float = 0.0,
    ) -> None:
        self.spec = spec
        self._threshold = threshold
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
                cheap_requires=tuple(k for k in p.requires if k is not EntityKind.PHONE),
                phone_required=EntityKind.PHONE in p.requires,
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
            Raw findings, scored; only those reaching the category's threshold.
        """
        results: list[RawFinding] = []
        if self.spec.requires_digit and not norm.has_digit:
            return results
        context: WordScan | None = None
        text = norm.text
        for pattern in patterns:
            spec = pattern.spec
            if spec.digit_run and not norm.has_digit_run(spec.digit_run):
                continue
            negative: WordScan | None = None
            kept = 0
            for tried, m in enumerate(pattern.regex.finditer(text)):
                if tried >= MAX_CANDIDATES_PER_PATTERN:
                    break
                if negative is None:
                    # Required entities and word scans are looked at only once a pattern
                    # matches: most do not, and finding entities costs more than the regex.
                    if spec.requires and any(not entities.maybe(kind) for kind in spec.requires):
                        break
                    negative = WordScan(pattern.negative, norm)
                if context is None:
                    context = WordScan(self._context, norm)
                found = self._score(
                    pattern, m.span(), norm=norm, ents=entities, negative=negative, context=context
                )
                if found is not None:
                    if found.score >= self._threshold:
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
        for kind in pattern.cheap_requires:
            if not ents.has(kind, lo, hi):
                return None
        fired: tuple[str, ...] | None = None
        if spec.score < self._threshold:
            # Below the threshold a match counts only with context: look for it first, it
            # is cheaper than the negative words and usually absent.
            fired = self._context_near(start, end, (lo, hi), ents, context)
            if not fired or spec.score + self._boost < self._threshold:
                return None
        if negative.phrases_within(lo, hi):
            return None
        if pattern.phone_required and not ents.has(EntityKind.PHONE, lo, hi):
            return None
        if spec.validators:
            ctx = MatchContext(norm.text, start, end, (lo, hi), ents)
            if any(not ok(ctx) for ok in spec.validators):
                return None
        if fired is None:
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
        words = set(context.phrases_within(lo, hi))
        if not words:
            # Entities are only looked for when no word gave context: finding phone numbers
            # costs far more than a word lookup, and one kind of context is enough.
            for kind in self.spec.context_entities:
                if ents.has(kind, lo, hi, exclude=(start, end)):
                    words.add(f"<{kind.value}>")
                    break
        return tuple(sorted(words))
