"""Backup-authentication ("forgot PIN") questions must not ask for biographical or account data.

47 CFR 64.2010(e) (R15): a back-up method may not prompt for readily available biographical
information (64.2003(m): SSN or its last 4, mother's maiden name, home address, date of birth;
"for example", so the list is open) or account information (64.2003(a): the account number or
part of it, the telephone number on the account, the bill amount). A configured question that
asks for any of these is a configuration error; ``validate_backup_questions`` returns the
problems so the config loader can list them all at once (style rule 6).

The deny-list extends the rule's examples with obvious equivalents (place of birth, age,
schools, government ids, e-mail address); that extension is [DESIGN] per cpni-rules.md.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

__all__ = [
    "BackupQuestion",
    "QuestionProblem",
    "QuestionRefusal",
    "check_backup_question",
    "configured_questions",
    "find_question",
    "question_id",
    "validate_backup_questions",
]


class QuestionRefusal(StrEnum):
    """What a refused backup question asks for."""

    EMPTY = "empty"
    MOTHERS_MAIDEN_NAME = "mothers_maiden_name"
    DATE_OF_BIRTH = "date_of_birth"
    PLACE_OF_BIRTH = "place_of_birth"
    SSN = "ssn"
    ADDRESS = "address"
    ACCOUNT_NUMBER = "account_number"
    PHONE_NUMBER = "phone_number"
    BILL_AMOUNT = "bill_amount"
    EMAIL_ADDRESS = "email_address"
    GOVERNMENT_ID = "government_id"
    SCHOOL = "school"


@dataclass(frozen=True)
class QuestionProblem:
    """One reason a backup question is refused.

    Attributes:
        code: what the question asks for.
        text: an explanation naming the category and the rule.
    """

    code: QuestionRefusal
    text: str


_BIO: Final = "biographical information"
_ACCOUNT: Final = "account information"

# (code, what it is, kind of information, pattern). Patterns are matched case-insensitively
# against the question with runs of whitespace collapsed.
_DENY: Final[tuple[tuple[QuestionRefusal, str, str, re.Pattern[str]], ...]] = tuple(
    (code, label, kind, re.compile(pattern, re.IGNORECASE))
    for code, label, kind, pattern in (
        (QuestionRefusal.MOTHERS_MAIDEN_NAME, "a maiden name", _BIO, r"\bmaiden\b"),
        (
            QuestionRefusal.DATE_OF_BIRTH,
            "a date of birth or age",
            _BIO,
            r"\bbirth ?(date|day|year)|\bdate of birth|\bd\.?o\.?b\b|\bborn (on|in (what|which) "
            r"year)|\b(when|what (year|month|day|date)).*\bborn\b|\byear (were you|you were) born|"
            r"\bhow old\b|\byour age\b",
        ),
        (
            QuestionRefusal.PLACE_OF_BIRTH,
            "a place of birth",
            _BIO,
            r"\bbirth ?place\b|\bwhere\b.*\bborn\b|\b(place|city|town|country|state|hospital)\b"
            r".*\b(born|birth)\b|\b(born|birth)\b.*\b(place|city|town|country|state|hospital)\b",
        ),
        (
            QuestionRefusal.SSN,
            "a Social Security or tax number",
            _BIO,
            r"\bsocial security\b|\bssn\b|\bsocial insurance\b|\btax (id|identification)\b",
        ),
        (
            QuestionRefusal.ADDRESS,
            "an address",
            _BIO,
            r"\baddress\b(?<!e-mail address)(?<!email address)|\bstreet\b|\bzip\b|"
            r"\bpost(al)? ?code\b|\bwhere do you live\b|\bhouse number\b",
        ),
        (
            QuestionRefusal.ACCOUNT_NUMBER,
            "the account number",
            _ACCOUNT,
            r"\baccount (number|no\b|#|id\b)|\bcustomer (number|id)\b",
        ),
        (
            QuestionRefusal.PHONE_NUMBER,
            "a telephone number",
            _ACCOUNT,
            r"\b(tele)?phone\b|\b(mobile|cell|contact) number\b",
        ),
        (
            QuestionRefusal.BILL_AMOUNT,
            "a bill or payment",
            _ACCOUNT,
            r"\bbill(s|ed|ing)?\b|\binvoice\b|\bpayments?\b|\bbalance\b|"
            r"\bamount (due|owed|paid)\b|\bhow much do you pay\b",
        ),
        (QuestionRefusal.EMAIL_ADDRESS, "an e-mail address", _ACCOUNT, r"\be-?mail\b"),
        (
            QuestionRefusal.GOVERNMENT_ID,
            "a government id",
            _BIO,
            r"\bdriver'?s? licen[cs]e\b|\bpassport\b|\b(national|government) id\b",
        ),
        (
            QuestionRefusal.SCHOOL,
            "a school",
            _BIO,
            r"\bschool\b|\bcollege\b|\buniversity\b|\bgraduat",
        ),
    )
)


def check_backup_question(text: str) -> list[QuestionProblem]:
    """Return every reason a backup question is refused; empty means it is allowed (R15).

    Args:
        text: the question as configured, e.g. ``"What was the name of your first pet?"``.

    Returns:
        One problem per category of biographical or account information the question asks
        for, or ``EMPTY`` for a blank question.
    """
    normalised = " ".join(text.split())
    if not normalised:
        return [QuestionProblem(QuestionRefusal.EMPTY, "The question is empty.")]
    return [
        QuestionProblem(
            code,
            f"The question asks for {label}, which is {kind} and may not be used for "
            "backup authentication (47 CFR 64.2010(e), R15).",
        )
        for code, label, kind, pattern in _DENY
        if pattern.search(normalised)
    ]


def validate_backup_questions(
    questions: Iterable[str], *, setting: str = "backup_questions"
) -> list[str]:
    """Return one configuration problem per refused or duplicated question, for aggregation.

    Args:
        questions: the configured questions, in order.
        setting: the setting name used as the prefix of each message.

    Returns:
        Messages such as ``backup_questions[2] ("What is your ZIP code?"): The question asks
        for an address, ...``; empty when every question is allowed. Questions are not secret,
        so they are quoted.
    """
    problems: list[str] = []
    seen: set[str] = set()
    for position, question in enumerate(questions, start=1):
        where = f"{setting}[{position}] ({question.strip()!r})"
        problems.extend(f"{where}: {p.text}" for p in check_backup_question(question))
        key = " ".join(question.lower().split())
        if key and key in seen:
            problems.append(f"{where}: the question is configured more than once.")
        seen.add(key)
    return problems


@dataclass(frozen=True)
class BackupQuestion:
    """A configured backup question and its stable id.

    Attributes:
        id: ``q-`` and 10 hex digits of SHA-256 over the normalised question; stored with the
            answer, so reordering the configured list never pairs an answer with another
            question (editing a question's wording gives it a new id).
        text: the question as configured (not secret).
    """

    id: str
    text: str


def question_id(text: str) -> str:
    """The stable id of a question (case and whitespace do not matter)."""
    normalised = " ".join(text.casefold().split())
    return "q-" + hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:10]


def configured_questions(questions: Iterable[str]) -> tuple[BackupQuestion, ...]:
    """The configured questions with their ids, in configured order."""
    return tuple(BackupQuestion(question_id(q), " ".join(q.split())) for q in questions)


def find_question(questions: Iterable[str], wanted: str) -> BackupQuestion | None:
    """The configured question named by its id or by its 1-based position, else ``None``."""
    listed = configured_questions(questions)
    wanted = wanted.strip()
    if wanted.isdigit() and 1 <= int(wanted) <= len(listed):
        return listed[int(wanted) - 1]
    return next((q for q in listed if q.id == wanted.lower()), None)
