"""The recognizer registry and :func:`build_detector`, which compiles a policy once.

The registry holds recognizer *specs* (data). ``build_detector`` adds the policy's account
number formats, language phrase lists, extra context and negative words, and compiles
everything into a :class:`~bot.domain.detection.detector.Detector`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from bot.domain.detection._entities import EntityKind
from bot.domain.detection._patterns_account import (
    ACCOUNT_IDENTIFIERS,
    ACCOUNT_NUMBER_CONTEXT,
    ACCOUNT_NUMBER_NEGATIVE,
    CREDENTIAL_CHANGE,
)
from bot.domain.detection._patterns_billing import USAGE_BILLING
from bot.domain.detection._patterns_calls import CALL_DETAIL
from bot.domain.detection._patterns_change import ADDRESS_CHANGE, PORT_OR_SIM
from bot.domain.detection._patterns_fallback_changes import FALLBACK_RECOGNIZERS
from bot.domain.detection._patterns_records import (
    ACCOUNT_IDENTIFIERS_PHRASING,
    ADDRESS_CHANGE_PHRASING,
)
from bot.domain.detection._patterns_requests import CALL_DETAIL_PHRASING, USAGE_BILLING_PHRASING
from bot.domain.detection._prefix import longest_digit_run
from bot.domain.detection._text import normalize_phrase
from bot.domain.detection._words import TOKEN
from bot.domain.detection.detector import Detector
from bot.domain.detection.model import Category
from bot.domain.detection.policy import DetectionPolicy
from bot.domain.detection.recognizer import (
    MatchContext,
    PatternSpec,
    Recognizer,
    RecognizerSpec,
    compile_words,
)

__all__ = ["BUILTIN_RECOGNIZERS", "RecognizerRegistry", "build_detector"]

BUILTIN_RECOGNIZERS: tuple[RecognizerSpec, ...] = (
    CALL_DETAIL,
    CALL_DETAIL_PHRASING,
    USAGE_BILLING,
    USAGE_BILLING_PHRASING,
    ACCOUNT_IDENTIFIERS,
    ACCOUNT_IDENTIFIERS_PHRASING,
    CREDENTIAL_CHANGE,
    ADDRESS_CHANGE,
    ADDRESS_CHANGE_PHRASING,
    PORT_OR_SIM,
    *FALLBACK_RECOGNIZERS,
)
_PHRASE_SCORE = 0.7
_DIGITS = re.compile(r"\d")
_ACCOUNT_LABEL = re.compile(
    r"\b(?:account|acct|acc|a/c|ban|customer|cust)\s{0,3}(?:number|no\.?|#|id)?\s{0,3}"
    r"(?:is|:|#|=)?\s{0,3}$"
)


class RecognizerRegistry:
    """An ordered collection of recognizer specs, unique by name.

    Args:
        specs: the initial specs (the built-in English ones by default).
    """

    def __init__(self, specs: Iterable[RecognizerSpec] = BUILTIN_RECOGNIZERS) -> None:
        self._specs: dict[str, RecognizerSpec] = {}
        for spec in specs:
            self.add(spec)

    def add(self, spec: RecognizerSpec) -> None:
        """Register a recognizer spec.

        Args:
            spec: the spec to add.

        Raises:
            ValueError: if a spec with the same name is already registered.
        """
        if spec.name in self._specs:
            raise ValueError(f"recognizer {spec.name!r} is already registered")
        self._specs[spec.name] = spec

    def __iter__(self) -> Iterator[RecognizerSpec]:
        """Iterate over the specs in registration order."""
        return iter(self._specs.values())

    def names(self) -> tuple[str, ...]:
        """Return the registered names in order.

        Returns:
            The recognizer names.
        """
        return tuple(self._specs)


def _not_trivial_number(ctx: MatchContext) -> bool:
    """Reject runs of one repeated digit and plain ascending runs (Presidio's SSN idea)."""
    digits = "".join(_DIGITS.findall(ctx.text[ctx.start : ctx.end]))
    return len(set(digits)) > 1 and digits not in "01234567890123456789"


def _not_a_date(ctx: MatchContext) -> bool:
    """Reject a date ("2024-05-14") read as a grouped account number."""
    return not any(s < ctx.end and ctx.start < e for s, e in ctx.entities.spans(EntityKind.WHEN))


def _not_a_phone_number(ctx: MatchContext) -> bool:
    """Reject a phone number read as an account number, unless "account" is right before."""
    if not any(s < ctx.end and ctx.start < e for s, e in ctx.entities.spans(EntityKind.PHONE)):
        return True
    return _ACCOUNT_LABEL.search(ctx.text, max(0, ctx.start - 30), ctx.start) is not None


def _account_number_spec(policy: DetectionPolicy) -> RecognizerSpec:
    # A format scored below the threshold needs a context word ("account") to count, so
    # it need not run on messages without one.
    context_tokens = tuple({TOKEN.findall(normalize_phrase(w))[0] for w in ACCOUNT_NUMBER_CONTEXT})
    reachable = policy.threshold(Category.ACCOUNT_IDENTIFIERS)
    patterns = tuple(
        PatternSpec(
            name=f"format_{fmt.name}",
            regex=rf"(?<![\w-])(?i:{fmt.pattern})(?![\w-])",
            score=fmt.score,
            anchors=() if fmt.score >= reachable else context_tokens,
            validators=(_not_trivial_number, _not_a_date, _not_a_phone_number),
            digit_run=longest_digit_run(fmt.pattern),
        )
        for fmt in policy.account_number_formats
    )
    return RecognizerSpec(
        name="account_number",
        category=Category.ACCOUNT_IDENTIFIERS,
        patterns=patterns,
        context=ACCOUNT_NUMBER_CONTEXT,
        negative=ACCOUNT_NUMBER_NEGATIVE,
        disclosure_capable=True,
        requires_digit=True,
    )


def _phrase_specs(policy: DetectionPolicy) -> Iterator[RecognizerSpec]:
    for lang, words in sorted(policy.languages.items()):
        for category, phrases in sorted(words.phrases.items()):
            rx = compile_words(phrases)
            if rx is None:
                continue
            # Any word of a phrase is in a message that holds the phrase; the longest is the
            # rarest, so it skips the most messages ("a quién llamó" anchors on "llamó").
            anchors = tuple({max(TOKEN.findall(normalize_phrase(p)), key=len) for p in phrases})
            yield RecognizerSpec(
                name=f"phrases_{lang}_{category.value}",
                category=category,
                patterns=(
                    PatternSpec(
                        name=f"{lang}_phrase",
                        regex=rx.pattern,
                        score=_PHRASE_SCORE,
                        anchors=tuple(a for a in anchors if re.fullmatch(r"\w+", a)) or (),
                    ),
                ),
                disclosure_capable=category in {Category.CALL_DETAIL, Category.USAGE_BILLING},
            )


def build_detector(
    policy: DetectionPolicy | None = None, *, registry: RecognizerRegistry | None = None
) -> Detector:
    """Compile a detector from a policy (and optionally a custom registry), once.

    Args:
        policy: the validated detection policy; the defaults when omitted.
        registry: recognizer specs to use; the built-in English ones when omitted.

    Returns:
        A ready, immutable detector.
    """
    policy = policy or DetectionPolicy()
    specs = [*(registry or RecognizerRegistry()), _account_number_spec(policy)]
    specs.extend(_phrase_specs(policy))
    recognizers = []
    for spec in specs:
        context = list(policy.extra_context_words.get(spec.category, ()))
        negative = list(policy.extra_negative_words.get(spec.category, ()))
        for words in policy.languages.values():
            context.extend(words.context_words.get(spec.category, ()))
            negative.extend(words.negative_words.get(spec.category, ()))
        recognizers.append(
            Recognizer(
                spec,
                context_boost=policy.context_boost,
                window=policy.context_window,
                extra_context=context,
                extra_negative=negative,
                threshold=policy.threshold(spec.category),
            )
        )
    return Detector(
        policy=policy, recognizers=recognizers, allow_list=compile_words(policy.allow_list)
    )
