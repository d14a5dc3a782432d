"""The detector: runs the compiled recognizers over one message and returns findings.

Build one with :func:`bot.domain.detection.build_detector` from a ``DetectionPolicy``; it is
immutable and safe to share between threads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from bot.domain.detection import _signals
from bot.domain.detection._entities import EntityFinder, EntityKind, PhoneFinder
from bot.domain.detection._text import NormalizedText, normalize
from bot.domain.detection.email import clean_email_body
from bot.domain.detection.model import Category, Explanation, Finding, Message, Role, Signal
from bot.domain.detection.policy import DetectionPolicy
from bot.domain.detection.recognizer import CompiledPattern, RawFinding, Recognizer

__all__ = ["Detector", "MessageAnalysis"]

# R3: directory listings must not lock a thread on their own; in a sentence about the
# directory, identifier and address findings are dropped.
_DIRECTORY_SUPPRESSES = frozenset(
    {Category.ACCOUNT_IDENTIFIERS, Category.ADDRESS_CHANGE, Category.PORT_OR_SIM}
)


@dataclass(frozen=True, slots=True)
class MessageAnalysis:
    """What the detector found in one message.

    Attributes:
        findings: findings at or above their category's threshold, in text order.
        signals: risk signals that do not lock on their own (R3, R8, R9, R26).
    """

    findings: tuple[Finding, ...]
    signals: frozenset[Signal]

    @property
    def categories(self) -> frozenset[Category]:
        """The categories of the findings."""
        return frozenset(f.category for f in self.findings)

    @property
    def disclosure(self) -> bool:
        """Whether any finding is an agent's disclosure of CPNI."""
        return any(f.disclosure for f in self.findings)


class Detector:
    """Scores messages for CPNI categories.

    Args:
        policy: the validated detection policy.
        recognizers: the compiled recognizers, in registry order.
        allow_list: a compiled alternation of allow-listed phrases, if any.
    """

    def __init__(
        self,
        *,
        policy: DetectionPolicy,
        recognizers: Sequence[Recognizer],
        allow_list: re.Pattern[str] | None,
    ) -> None:
        self.policy = policy
        self._recognizers = tuple(recognizers)
        self._disclosing = frozenset(r.spec.name for r in recognizers if r.spec.disclosure_capable)
        self._allow = allow_list
        self._prefilter = True
        self._slots, self._index, self._always = _prescan_index(self._recognizers)
        self._vocabulary = frozenset(self._index)
        self._phones = PhoneFinder(
            region=policy.default_region,
            leniency=policy.phone_leniency,
            max_candidates=policy.max_phone_candidates,
        )

    @property
    def recognizer_names(self) -> tuple[str, ...]:
        """The names of the recognizers, in the order they run."""
        return tuple(r.spec.name for r in self._recognizers)

    def requires_pin(self, categories: Iterable[Category]) -> bool:
        """Tell whether any of the categories requires PIN verification by policy.

        Args:
            categories: categories found in a conversation.

        Returns:
            True when at least one is in the policy's ``pin_required``.
        """
        return not self.policy.pin_required.isdisjoint(categories)

    def analyze_message(self, message: Message) -> MessageAnalysis:
        """Analyse a conversation message, cleaning e-mail bodies first.

        Args:
            message: the message.

        Returns:
            The findings and signals of the message.
        """
        text = message.text
        if message.channel is not None and message.channel in self.policy.email_channels:
            text = clean_email_body(text)
        return self.analyze(text, role=message.role)

    def analyze(self, text: str, *, role: Role = Role.CUSTOMER) -> MessageAnalysis:
        """Analyse one text.

        Args:
            text: the message text (already cleaned if it is an e-mail).
            role: who wrote it; an agent stating CPNI is a disclosure.

        Returns:
            The findings and signals of the text.
        """
        norm = normalize(text[: self.policy.max_message_chars])
        entities = EntityFinder(norm.text, phones=self._phones, account_formats=())
        raws: list[RawFinding] = []
        for rec, patterns in self._selected(norm.tokens):
            raws.extend(rec.run(norm, entities, patterns))
        raws = [r for r in raws if r.score >= self.policy.threshold(r.category)]
        raws = self._drop_allow_listed(raws, norm)
        signals: set[Signal] = set()
        raws = _apply_directory_rule(raws, norm, signals)
        findings = tuple(self._to_finding(r, norm, role) for r in _best_per_span(raws))
        _add_signals(findings, norm, role, entities, signals)
        return MessageAnalysis(findings=findings, signals=frozenset(signals))

    def _selected(
        self, tokens: frozenset[str]
    ) -> Iterator[tuple[Recognizer, list[CompiledPattern]]]:
        """One prescan: the patterns whose anchor words are in the message, by recognizer."""
        if not self._prefilter:
            yield from ((rec, list(rec.patterns)) for rec in self._recognizers)
            return
        mask = self._always
        index = self._index
        for token in tokens & self._vocabulary:
            mask |= index[token]
        current: Recognizer | None = None
        chosen: list[CompiledPattern] = []
        slots = self._slots
        while mask:
            low = mask & -mask
            mask ^= low
            rec, pattern = slots[low.bit_length() - 1]
            if pattern.also and pattern.also.isdisjoint(tokens):
                continue
            if rec is not current:
                if current is not None:
                    yield current, chosen
                current, chosen = rec, []
            chosen.append(pattern)
        if current is not None:
            yield current, chosen

    def _drop_allow_listed(self, raws: list[RawFinding], norm: NormalizedText) -> list[RawFinding]:
        if self._allow is None or not raws:
            return raws
        spans = [m.span() for m in self._allow.finditer(norm.text)]
        return [r for r in raws if not any(s < r.end and r.start < e for s, e in spans)]

    def _to_finding(self, raw: RawFinding, norm: NormalizedText, role: Role) -> Finding:
        lo, hi = raw.sentence
        is_question = "?" in norm.text[lo:hi]
        disclosure = role is Role.AGENT and raw.recognizer in self._disclosing and not is_question
        start, end = norm.to_original(raw.start, raw.end)
        return Finding(
            category=raw.category,
            start=start,
            end=end,
            score=raw.score,
            explanation=Explanation(
                detector=raw.recognizer,
                pattern=raw.pattern,
                base_score=raw.base_score,
                context=raw.context,
                disclosure=disclosure,
            ),
        )


def _prescan_index(
    recognizers: Sequence[Recognizer],
) -> tuple[tuple[tuple[Recognizer, CompiledPattern], ...], dict[str, int], int]:
    """Number every pattern and map each anchor word to a bit mask of the patterns it enables.

    A message is then prefiltered with one set intersection and a few integer ORs instead of
    a test per pattern; bits in registry order keep the run order. Patterns without anchors
    are in the ``always`` mask.
    """
    slots = tuple((rec, pattern) for rec in recognizers for pattern in rec.patterns)
    index: dict[str, int] = {}
    always = 0
    for bit, (_, pattern) in enumerate(slots):
        if not pattern.anchors:
            always |= 1 << bit
        for token in pattern.anchors:
            index[token] = index.get(token, 0) | 1 << bit
    return slots, index, always


def _apply_directory_rule(
    raws: list[RawFinding], norm: NormalizedText, signals: set[Signal]
) -> list[RawFinding]:
    words = _signals.DIRECTORY_WORDS
    if (
        words is None
        or _signals.DIRECTORY_ANCHORS.isdisjoint(norm.tokens)
        or words.search(norm.text) is None
    ):
        return raws
    signals.add(Signal.DIRECTORY_LISTING)
    return [
        r
        for r in raws
        if r.category not in _DIRECTORY_SUPPRESSES or words.search(norm.text, *r.sentence) is None
    ]


def _best_per_span(raws: list[RawFinding]) -> list[RawFinding]:
    """Keep the best finding among overlapping findings of the same category."""
    kept: list[RawFinding] = []
    for raw in sorted(raws, key=lambda r: (-r.score, r.start)):
        if not any(
            k.category == raw.category and k.start < raw.end and raw.start < k.end for k in kept
        ):
            kept.append(raw)
    return sorted(kept, key=lambda r: (r.start, r.category.value))


def _add_signals(
    findings: tuple[Finding, ...],
    norm: NormalizedText,
    role: Role,
    entities: EntityFinder,
    signals: set[Signal],
) -> None:
    tokens = norm.tokens
    if (
        role is Role.AGENT
        and not _signals.PIN_PROMPT_ANCHORS.isdisjoint(tokens)
        and _signals.PIN_PROMPT.search(norm.text)
    ):
        signals.add(Signal.PIN_PROMPT_HINT)
    if not _signals.PRETEXTING_ANCHORS.isdisjoint(tokens) and _signals.PRETEXTING.search(norm.text):
        signals.add(Signal.PRETEXTING_RISK)
    if (
        role is Role.CUSTOMER
        and any(f.category is Category.CALL_DETAIL for f in findings)
        and (entities.spans(EntityKind.PHONE) and entities.spans(EntityKind.WHEN))
    ):
        # R9: the customer named a specific call (number and time) themselves.
        signals.add(Signal.CUSTOMER_SUPPLIED_CALL_DETAIL)
