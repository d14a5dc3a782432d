"""The detector: runs the compiled recognizers over one message and returns findings.

Build one with :func:`bot.domain.detection.build_detector` from a ``DetectionPolicy``; it is
immutable and safe to share between threads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.domain.detection import _signals
from bot.domain.detection._entities import EntityFinder, EntityKind, PhoneFinder
from bot.domain.detection._postrules import (
    apply_directory_rule,
    best_per_span,
    directory_mentioned,
    drop_identifiers_of_changes,
)
from bot.domain.detection._prescan import Prescan
from bot.domain.detection._text import NormalizedText, normalize
from bot.domain.detection.email import clean_email_body
from bot.domain.detection.model import Category, Explanation, Finding, Message, Role, Signal
from bot.domain.detection.policy import DetectionPolicy
from bot.domain.detection.recognizer import CompiledPattern, RawFinding, Recognizer

__all__ = ["Detector", "MessageAnalysis"]


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
        self._settle = True
        self._prescan = Prescan(self._recognizers)
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
        directory = directory_mentioned(norm)
        raws = self._run_recognizers(norm, entities, role, may_settle=not directory)
        signals: set[Signal] = set()
        if directory:
            raws = apply_directory_rule(raws, norm, signals)
        findings: tuple[Finding, ...] = ()
        if raws:
            raws = self._drop_allow_listed(raws, norm)
            raws = drop_identifiers_of_changes(raws, norm, entities)
            findings = tuple(self._to_finding(r, norm, role) for r in best_per_span(raws))
        _add_signals(findings, norm, role, entities, signals)
        return MessageAnalysis(findings=findings, signals=frozenset(signals))

    def _run_recognizers(
        self, norm: NormalizedText, entities: EntityFinder, role: Role, *, may_settle: bool
    ) -> list[RawFinding]:
        """Run the selected recognizers; return the findings that reach their threshold.

        Once a rule family has decided a category (a finding at or above the threshold that
        is already a disclosure if an agent wrote it), later families of that category only
        add more spans of it and are skipped. Not for account identifiers (a later rule may
        drop them) nor when a directory listing or the allow-list may drop findings.
        Fallbacks run last and only for categories no rule found.
        """
        selection = (
            self._prescan.select(norm.tokens, has_digit=norm.has_digit)
            if self._prefilter
            else self._prescan.everything
        )
        may_settle = may_settle and self._settle and self._allow is None
        settled: set[Category] = set()
        raws: list[RawFinding] = []
        fallbacks: list[tuple[Recognizer, tuple[CompiledPattern, ...]]] = []
        for rec, patterns in selection:
            category = rec.spec.category
            if rec.spec.fallback:
                fallbacks.append((rec, patterns))
                continue
            if category in settled:
                continue
            found = rec.run(norm, entities, patterns)
            raws.extend(found)
            if (
                found
                and may_settle
                and category is not Category.ACCOUNT_IDENTIFIERS
                and (role is not Role.AGENT or any(self._discloses(r, norm) for r in found))
            ):
                settled.add(category)
        decided = {r.category for r in raws}
        for rec, patterns in fallbacks:
            if rec.spec.category not in decided:
                raws.extend(rec.run(norm, entities, patterns))
        return raws

    def _discloses(self, raw: RawFinding, norm: NormalizedText) -> bool:
        lo, hi = raw.sentence
        return raw.recognizer in self._disclosing and "?" not in norm.text[lo:hi]

    def _drop_allow_listed(self, raws: list[RawFinding], norm: NormalizedText) -> list[RawFinding]:
        if self._allow is None or not raws:
            return raws
        spans = [m.span() for m in self._allow.finditer(norm.text)]
        return [r for r in raws if not any(s < r.end and r.start < e for s, e in spans)]

    def _to_finding(self, raw: RawFinding, norm: NormalizedText, role: Role) -> Finding:
        disclosure = role is Role.AGENT and self._discloses(raw, norm)
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
        and entities.spans(EntityKind.WHEN)
        and entities.anywhere(EntityKind.PHONE)  # the digit-cluster check first: it is cheap
    ):
        # R9: the customer named a specific call (number and time) themselves.
        signals.add(Signal.CUSTOMER_SUPPLIED_CALL_DETAIL)
