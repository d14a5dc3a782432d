"""Which PINs a customer may choose: pure rules that list every reason for a refusal.

A 4-to-8-digit PIN has at most 10**8 values, and people pick far fewer; so the policy refuses
the guessable ones (trivial patterns, the most common PINs) and, per 47 CFR 64.2010(e) (R14),
anything derived from the account's own biographical or account data, which a pretexter may
know: digits of the account or telephone numbers, the street number or ZIP of an address of
record, the date of birth and the last 4 of the SSN.

DOB and SSN are never held in clear. The account side stores keyed hashes (for example
``hmac_sha256_b64(key, form)``) of canonical *forms* (``bot.domain.dob_form``,
``ssn_last4_form``) and passes a checker: a callable that says whether a candidate form is on
file. This module only enumerates the forms a PIN could encode and asks the checker.

The backup-question rules (R15) live in ``bot.domain.backup_question`` and are re-exported here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise
from typing import Final, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.domain.backup_question import (
    QuestionProblem,
    QuestionRefusal,
    check_backup_question,
    validate_backup_questions,
)
from bot.domain.common_pins import COMMON_PINS
from bot.domain.dob_form import dob_candidates, dob_checker, dob_forms, dob_full_form

__all__ = [
    "DEFAULT_PIN_POLICY",
    "AccountFacts",
    "FormChecker",
    "PinPolicy",
    "PinProblem",
    "PinRefusal",
    "QuestionProblem",
    "QuestionRefusal",
    "check_backup_question",
    "check_pin",
    "dob_checker",
    "dob_forms",
    "dob_full_form",
    "ssn_last4_form",
    "validate_backup_questions",
]

FormChecker = Callable[[str], bool]
"""Tells whether a canonical derived form (``"dob:md:04-12"``, ``"ssn4:1234"``) is on file."""


class PinRefusal(StrEnum):
    """Reason codes for refusing a PIN; stable, for audit records and message lookup."""

    NOT_DIGITS = "not_digits"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    ALL_SAME = "all_same"
    SEQUENCE = "sequence"
    REPEATED_PATTERN = "repeated_pattern"
    COMMON = "common"
    ACCOUNT_NUMBER = "account_number"
    TELEPHONE_NUMBER = "telephone_number"
    STREET_NUMBER = "street_number"
    ZIP_CODE = "zip_code"
    DATE_OF_BIRTH = "date_of_birth"
    SSN_LAST4 = "ssn_last4"


_TEXT: Final[dict[PinRefusal, str]] = {
    PinRefusal.NOT_DIGITS: "A PIN may contain only the digits 0-9.",
    PinRefusal.TOO_SHORT: "The PIN is shorter than {min} digits.",
    PinRefusal.TOO_LONG: "The PIN is longer than {max} digits.",
    PinRefusal.ALL_SAME: "The PIN repeats one digit.",
    PinRefusal.SEQUENCE: "The PIN is a run of ascending or descending digits.",
    PinRefusal.REPEATED_PATTERN: "The PIN repeats a short group of digits (like 1212).",
    PinRefusal.COMMON: "The PIN is one of the most commonly chosen PINs.",
    PinRefusal.ACCOUNT_NUMBER: "The PIN contains digits of the account number (R14).",
    PinRefusal.TELEPHONE_NUMBER: "The PIN contains digits of a telephone number on the account.",
    PinRefusal.STREET_NUMBER: "The PIN contains the street number of an address of record.",
    PinRefusal.ZIP_CODE: "The PIN contains the ZIP code of an address of record.",
    PinRefusal.DATE_OF_BIRTH: "The PIN contains a form of the date of birth (R14).",
    PinRefusal.SSN_LAST4: "The PIN contains the last 4 digits of the SSN (R14).",
}


@dataclass(frozen=True)
class PinProblem:
    """One reason a PIN is refused. The text never quotes the PIN or the account data.

    Attributes:
        code: the stable reason code.
        text: a sentence an agent or customer can read.
    """

    code: PinRefusal
    text: str


class PinPolicy(BaseModel):
    """Tunable PIN rules (policy YAML). Defaults follow issue 3.

    Attributes:
        min_length: fewest digits (default 4; never below 4).
        max_length: most digits (default 8).
        account_digit_run: a PIN sharing this many consecutive digits with the account or a
            telephone number is derived from account data (default 4).
        min_embedded_digits: a street number or ZIP this short or longer is refused when it
            appears whole inside the PIN (default 3; shorter ones would refuse too much).
        extra_common_pins: operator additions to ``COMMON_PINS``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    min_length: int = Field(default=4, ge=4, le=16)
    max_length: int = Field(default=8, ge=4, le=16)
    account_digit_run: int = Field(default=4, ge=3, le=16)
    min_embedded_digits: int = Field(default=3, ge=2, le=16)
    extra_common_pins: frozenset[str] = frozenset()

    @model_validator(mode="after")
    def _lengths_ordered(self) -> Self:
        if self.min_length > self.max_length:
            raise ValueError("min_length must not exceed max_length")
        return self


@dataclass(frozen=True)
class AccountFacts:
    """The account data a PIN must not be derived from (R14). Digits are extracted as needed.

    Attributes:
        account_number: the account number, if known.
        telephone_numbers: every telephone number on the account (of record and contact).
        street_numbers: house numbers of the addresses of record.
        zip_codes: ZIP or postal codes of the addresses of record (ZIP+4 allowed).
        dob_matches: checker over ``dob_forms`` keyed hashes, or ``None`` if no DOB on file.
        ssn_last4_matches: checker over the ``ssn_last4_form`` keyed hash, or ``None``.
    """

    account_number: str | None = None
    telephone_numbers: tuple[str, ...] = ()
    street_numbers: tuple[str, ...] = ()
    zip_codes: tuple[str, ...] = ()
    dob_matches: FormChecker | None = None
    ssn_last4_matches: FormChecker | None = None


DEFAULT_PIN_POLICY: Final = PinPolicy()


def check_pin(
    pin: str,
    *,
    policy: PinPolicy = DEFAULT_PIN_POLICY,
    account: AccountFacts | None = None,
) -> list[PinProblem]:
    """Return every reason the PIN is refused; an empty list means it is acceptable.

    Args:
        pin: the candidate PIN, exactly as entered (no stripping is done here).
        policy: the tunable rules.
        account: the account's data, when a PIN is set for a known account (always, in
            practice); without it only the generic rules apply.

    Returns:
        One ``PinProblem`` per reason, in ``PinRefusal`` order. A PIN with a non-digit gets
        only format reasons, since the pattern rules assume digits.
    """
    codes = list(_format_reasons(pin, policy))
    if PinRefusal.NOT_DIGITS not in codes:
        codes += _pattern_reasons(pin, policy)
        if account is not None:
            codes += _account_reasons(pin, account, policy)
    texts = {"min": policy.min_length, "max": policy.max_length}
    return [
        PinProblem(code=c, text=_TEXT[c].format(**texts)) for c in sorted(set(codes), key=_ORDER)
    ]


def ssn_last4_form(last4: str) -> str:
    """Return the canonical form of the SSN's last 4 digits that the account side hashes."""
    digits = _digits(last4)
    if len(digits) != 4:
        raise ValueError("the SSN's last 4 must be exactly 4 digits")
    return f"ssn4:{digits}"


_ORDER: Final = list(PinRefusal).index


def _format_reasons(pin: str, policy: PinPolicy) -> Iterator[PinRefusal]:
    # ASCII digits only: str.isdigit() accepts other scripts' digits ("١٢٣٤"), which would
    # hash differently from what a keypad or IVR sends.
    if not pin or not (pin.isascii() and pin.isdigit()):
        yield PinRefusal.NOT_DIGITS
    if len(pin) < policy.min_length:
        yield PinRefusal.TOO_SHORT
    if len(pin) > policy.max_length:
        yield PinRefusal.TOO_LONG


def _pattern_reasons(pin: str, policy: PinPolicy) -> Iterator[PinRefusal]:
    if len(set(pin)) == 1:
        yield PinRefusal.ALL_SAME
    steps = {(int(b) - int(a)) % 10 for a, b in pairwise(pin)}
    if steps in ({1}, {9}):  # +1 or -1 modulo 10, so 7890 and 3210 count
        yield PinRefusal.SEQUENCE
    if len(set(pin)) > 1 and _is_periodic(pin):
        yield PinRefusal.REPEATED_PATTERN
    if pin in COMMON_PINS or pin in policy.extra_common_pins:
        yield PinRefusal.COMMON


def _is_periodic(pin: str) -> bool:
    """Whether the PIN repeats a block of 2 or more digits at least twice (1212, 123123)."""
    return any(
        all(pin[i] == pin[i % period] for i in range(len(pin)))
        for period in range(2, len(pin) // 2 + 1)
    )


def _account_reasons(pin: str, account: AccountFacts, policy: PinPolicy) -> Iterator[PinRefusal]:
    run, embedded = policy.account_digit_run, policy.min_embedded_digits
    if account.account_number and _shares_run(pin, account.account_number, run, run):
        yield PinRefusal.ACCOUNT_NUMBER
    if any(_shares_run(pin, tn, run, run) for tn in account.telephone_numbers):
        yield PinRefusal.TELEPHONE_NUMBER
    if any(_shares_run(pin, sn, run, embedded) for sn in account.street_numbers):
        yield PinRefusal.STREET_NUMBER
    if any(_shares_run(pin, z, run, embedded) for z in account.zip_codes):
        yield PinRefusal.ZIP_CODE
    if account.dob_matches is not None and any(map(account.dob_matches, dob_candidates(pin))):
        yield PinRefusal.DATE_OF_BIRTH
    if account.ssn_last4_matches is not None and any(
        account.ssn_last4_matches(f"ssn4:{w}") for w in _windows(pin, 4)
    ):
        yield PinRefusal.SSN_LAST4


def _shares_run(pin: str, value: str, run: int, shortest: int) -> bool:
    """Whether ``run`` consecutive digits of ``value`` appear in the PIN.

    A value shorter than ``run`` counts when it is at least ``shortest`` digits long and
    appears whole inside the PIN.
    """
    digits = _digits(value)
    size = min(run, len(digits))
    if size < shortest or size == 0:
        return False
    return any(w in digits for w in _windows(pin, size))


def _windows(pin: str, size: int) -> Iterator[str]:
    return (pin[i : i + size] for i in range(len(pin) - size + 1))


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isascii() and ch.isdigit())
