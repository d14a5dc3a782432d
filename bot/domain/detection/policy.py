"""The ``detection:`` section of the policy file, validated once at start-up (style rule 6).

Every field has a working default, so an empty section (or none at all) gives the built-in
behaviour. A bad value fails with pydantic ``ValidationError`` locations such as
``account_number_formats.0.pattern`` or ``category_min_score.call_detal``.
"""

from __future__ import annotations

from typing import Annotated, Literal

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.domain.detection._lexicon_es import SPANISH
from bot.domain.detection._regex_safety import check_linear_safe
from bot.domain.detection.model import Category

__all__ = ["AccountNumberFormat", "DetectionPolicy", "LanguageWords"]

Score = Annotated[float, Field(ge=0.0, le=1.0)]
Word = Annotated[str, Field(min_length=1, max_length=80, pattern=r"\S")]
WordList = tuple[Word, ...]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AccountNumberFormat(_Frozen):
    """A tenant's account number format.

    Attributes:
        name: a short name shown in explanations (letters, digits, ``_`` and ``-``).
        pattern: a regex in the linear-safe subset (bounded repeats, no nesting, no
            lookarounds or backreferences); matched case-insensitively as a whole word.
        score: the base score of a match before context words such as "account" raise it.
    """

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,40}$")]
    pattern: str
    score: Score = 0.3

    @field_validator("pattern")
    @classmethod
    def _linear_safe(cls, value: str) -> str:
        check_linear_safe(value)
        return value


class LanguageWords(_Frozen):
    """Word lists for one language, added to the built-in English rules.

    Attributes:
        phrases: per category, phrases that on their own indicate the category.
        context_words: per category, words that raise the score of a nearby match.
        negative_words: per category, words that cancel a match in the same sentence.
    """

    phrases: dict[Category, WordList] = Field(default_factory=dict)
    context_words: dict[Category, WordList] = Field(default_factory=dict)
    negative_words: dict[Category, WordList] = Field(default_factory=dict)


def _default_formats() -> tuple[AccountNumberFormat, ...]:
    return (
        AccountNumberFormat(name="digits", pattern=r"\d{6,14}"),
        AccountNumberFormat(name="grouped", pattern=r"\d{2,5}[ -]\d{2,5}[ -]\d{2,6}"),
        AccountNumberFormat(name="prefixed", pattern=r"[a-z]{1,4}-?\d{6,12}"),
    )


class DetectionPolicy(_Frozen):
    """How the CPNI detector decides; the policy file's ``detection:`` section.

    Attributes:
        pin_required: categories whose presence requires PIN verification (R6, R7). By
            company policy every CPNI category does (the note under R8).
        min_score: the default threshold a finding must reach.
        category_min_score: per-category thresholds that override ``min_score``.
        context_boost: added to a match's score when a context word is near it.
        context_window: characters either side of a match searched for context words.
        extra_context_words: per category, more words that raise a nearby match's score.
        extra_negative_words: per category, more words that cancel a match in its sentence.
        account_number_formats: the tenant's account number formats.
        allow_list: phrases whose occurrences never produce a finding (for example the
            carrier's own published support number).
        languages: per language code, word lists added to the built-in English rules.
        default_region: region for phone numbers written without a country code.
        phone_leniency: ``possible`` accepts any well-formed number, ``valid`` only numbers in
            assigned ranges (fewer false positives, misses fictional 555 numbers).
        max_phone_candidates: the most digit clusters checked for phone numbers per message.
        email_channels: channels whose bodies are cleaned of quotes and signatures first.
        max_message_chars: longer messages are scanned up to this many characters, so one
            pasted log cannot stall the worker.
    """

    pin_required: frozenset[Category] = frozenset(Category)
    min_score: Score = 0.5
    category_min_score: dict[Category, Score] = Field(default_factory=dict)
    context_boost: Score = 0.35
    context_window: Annotated[int, Field(ge=0, le=500)] = 60
    extra_context_words: dict[Category, WordList] = Field(default_factory=dict)
    extra_negative_words: dict[Category, WordList] = Field(default_factory=dict)
    account_number_formats: tuple[AccountNumberFormat, ...] = Field(
        default_factory=_default_formats, max_length=32
    )
    allow_list: WordList = ()
    languages: dict[
        Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")], LanguageWords
    ] = Field(default_factory=lambda: {"es": LanguageWords.model_validate(SPANISH)})
    default_region: str = "US"
    phone_leniency: Literal["possible", "valid"] = "possible"
    max_phone_candidates: Annotated[int, Field(ge=1, le=256)] = 16
    email_channels: frozenset[str] = frozenset({"email"})
    max_message_chars: Annotated[int, Field(ge=1_000, le=10_000_000)] = 200_000

    @field_validator("default_region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        region = value.upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"unknown phone region {value!r}; use an ISO 3166 code like 'US'")
        return region

    def __hash__(self) -> int:
        """Hash by value, so a policy can key a cache of compiled detectors."""
        return hash(self.model_dump_json())

    def threshold(self, category: Category) -> float:
        """Return the score a finding of a category must reach.

        Args:
            category: the category.

        Returns:
            The category's own threshold, or ``min_score``.
        """
        return self.category_min_score.get(category, self.min_score)
