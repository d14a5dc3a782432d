"""Result values of the PIN vault's use cases (style rule 2: expected outcomes are values)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal

from sqlalchemy.orm import Session

from bot.domain.backup_answer import BackupOutcome
from bot.domain.pin_policy import PinProblem

__all__ = [
    "ChangeLabel",
    "ChangeSink",
    "CredentialStatus",
    "PinChange",
    "PinUpdate",
    "PinUpdateStatus",
    "ResetCode",
    "StatusLabel",
]

StatusLabel = Literal["unknown_account", "no_pin", "active", "locked_out", "hard_locked"]
ChangeLabel = Literal[
    "pin_created", "pin_changed", "pin_reset", "backup_answer_created", "backup_answer_changed"
]


@dataclass(frozen=True)
class CredentialStatus:
    """What an operator may see of a credential: state and counters, never the hash.

    Attributes:
        account_number: the account asked about.
        state: ``unknown_account``, ``no_pin``, ``active``, ``locked_out`` (timed) or
            ``hard_locked`` (until a supervisor unlock or a new PIN).
        failures_in_window: wrong PINs counted towards the next timed lockout.
        consecutive_failures: wrong PINs since the last success, unlock or new PIN.
        locked_until: end of the current timed lockout, if one holds.
        hard_locked: whether a hard lock holds.
        lockout_count: lockouts since the last success or new PIN (drives doubling).
        enrolled_at: when the current PIN was set.
        pepper_key_id: the pepper key id the PIN is stored under (not secret; for rotation).
        backup_question_id: the question the backup answer on file replies to, if any.
    """

    account_number: str
    state: StatusLabel
    failures_in_window: int = 0
    consecutive_failures: int = 0
    locked_until: datetime | None = None
    hard_locked: bool = False
    lockout_count: int = 0
    enrolled_at: datetime | None = None
    pepper_key_id: str | None = None
    backup_question_id: str | None = None


class PinUpdateStatus(StrEnum):
    """How an enrolment, change or reset ended; stable strings for audit and CLI."""

    SET = "set"
    REFUSED_BY_POLICY = "refused_by_policy"
    UNKNOWN_ACCOUNT = "unknown_account"
    ALREADY_ENROLLED = "already_enrolled"
    NO_PIN_ON_FILE = "no_pin_on_file"
    NOT_AUTHENTICATED = "not_authenticated"
    UNKNOWN_QUESTION = "unknown_question"


@dataclass(frozen=True)
class PinUpdate:
    """The result of ``enrol``, ``change``, ``reset`` or ``set_backup_answer``.

    Attributes:
        status: what happened; only ``SET`` changed anything.
        problems: every PIN-policy reason, for ``REFUSED_BY_POLICY`` of a PIN.
        verification: for ``change`` and ``set_backup_answer``, the outcome of checking the
            current PIN.
        detail: a sentence for the operator (never quotes a PIN or code).
    """

    status: PinUpdateStatus
    problems: tuple[PinProblem, ...] = ()
    verification: BackupOutcome | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        """Whether the new PIN or backup answer was stored."""
        return self.status is PinUpdateStatus.SET


@dataclass(frozen=True)
class ResetCode:
    """The result of ``start_reset_otp``: whether a one-time code is on its way, and where.

    Attributes:
        sent: a code was issued and its delivery queued.
        reason: ``sent``, ``unknown_account`` or ``no_contact_of_record``.
        channel: ``sms`` (telephone number of record) or ``email`` (address of record).
        expires_at: when the code stops working.
    """

    sent: bool
    reason: str
    channel: str | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True)
class PinChange:
    """An account-change event for the notifications service (R20, R21).

    Attributes:
        account_number: the account whose PIN or backup answer was created or changed.
        kind: ``pin_created``, ``pin_changed``, ``pin_reset``, ``backup_answer_created`` or
            ``backup_answer_changed``.
        actor: who made the change.
        surface: where it was made.
        occurred_at: when it committed.
        activation_flow: chosen while initiating service, so no notice (R21).
    """

    account_number: str
    kind: ChangeLabel
    actor: str
    surface: str
    occurred_at: datetime
    activation_flow: bool = False


ChangeSink = Callable[[Session, PinChange], None]
"""Records a ``PinChange`` inside the vault's transaction (the notifications service)."""
