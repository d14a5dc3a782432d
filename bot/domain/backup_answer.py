"""Backup-authentication answers: normalisation, and R16 over one interaction's attempts.

A backup answer is the customer's reply to a configured backup question (R15). It is compared
after normalisation (Unicode NFKC, case-folded, runs of whitespace collapsed), so ``"  Mr.
WHISKERS "`` and ``"mr. whiskers"`` are the same answer; the vault then hashes it exactly like
a PIN (argon2id over the HMAC pepper), under a label of its own so an answer's hash can never
verify as a PIN or the other way round.

R16 (47 CFR 64.2010(e), last sentence): when, within one interaction, the customer got both the
PIN and the backup answer wrong, the only way forward is a new PIN established per R14.
:func:`new_pin_required` folds an interaction's attempts into that decision; it is pure, the
vault feeds it the interaction's audited attempts.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal

from bot.domain.verification import VerificationOutcome

__all__ = [
    "BACKUP_METHOD",
    "MAX_ANSWER_LENGTH",
    "BackupOutcome",
    "InteractionAttempt",
    "NoBackupAnswer",
    "answer_material",
    "check_answer",
    "new_pin_required",
    "normalise_answer",
]

#: The audit ``method`` of a backup-answer verification (action ``pin_verify``).
BACKUP_METHOD: Final = "backup_answer"
#: The longest normalised answer accepted, in characters.
MAX_ANSWER_LENGTH: Final = 128
_LABEL: Final = "cpni-guard/backup-answer/v1\x00"


@dataclass(frozen=True)
class NoBackupAnswer:
    """The account has no backup answer on file (the caller still runs a dummy hash)."""

    kind: Literal["no_backup_answer"] = "no_backup_answer"


BackupOutcome = VerificationOutcome | NoBackupAnswer
"""Every answer a backup-answer check can give."""


def normalise_answer(answer: str) -> str:
    """The comparable form of an answer: NFKC, case-folded, whitespace runs collapsed."""
    return " ".join(unicodedata.normalize("NFKC", answer).casefold().split())


def answer_material(answer: str) -> str:
    """What the hasher is given for an answer: its normalised form under the answer label."""
    return _LABEL + normalise_answer(answer)


def check_answer(answer: str) -> str | None:
    """Why an answer cannot be stored, or ``None`` if it can (never quotes the answer)."""
    normalised = normalise_answer(answer)
    if not normalised:
        return "The backup answer is empty."
    if len(normalised) > MAX_ANSWER_LENGTH:
        return f"The backup answer is longer than {MAX_ANSWER_LENGTH} characters."
    return None


@dataclass(frozen=True)
class InteractionAttempt:
    """One audited event that matters to R16, in the order it happened.

    Attributes:
        factor: ``pin`` or ``backup_answer`` for a verification; ``new_pin`` when a new PIN
            was set on the account (which ends every R16 refusal).
        verified: the verification succeeded.
        failed: a wrong PIN or answer was evaluated (refusals without a check do not count).
    """

    factor: Literal["pin", "backup_answer", "new_pin"]
    verified: bool = False
    failed: bool = False


def new_pin_required(attempts: Iterable[InteractionAttempt]) -> bool:
    """Whether the interaction must be refused under R16.

    True once both a wrong PIN and a wrong backup answer were evaluated since the last
    successful verification in the interaction and the last new PIN on the account.
    """
    pin_failed = answer_failed = False
    for attempt in attempts:
        if attempt.factor == "new_pin" or attempt.verified:
            pin_failed = answer_failed = False
        elif attempt.failed and attempt.factor == "pin":
            pin_failed = True
        elif attempt.failed:
            answer_failed = True
    return pin_failed and answer_failed
