"""Possible-breach incidents: the rules that open them, their states, and the breach clock.

Four audit signals open an incident (R26-R28):

* ``repeated_lockouts``: one account locked out ``lockouts_threshold`` times within
  ``lockout_window`` (R26 "repeated failed PIN attempts"; the thresholds are [DESIGN]);
* ``possible_pretexting``: the cross-account pretexting signal (R26);
* ``disclosed_while_locked``: an agent disclosed CPNI on a locked thread (R6, R27);
* ``misdirected_cpni``: CPNI posted into another customer's ticket or sent to the wrong
  recipient (R28).

An incident moves ``open`` -> ``under_review`` -> ``breach_determined`` -> ``closed`` (an
incident that is not a breach is closed from ``open`` or ``under_review`` with a reason). Once a
breach is determined, :func:`breach_clock` gives the deadlines of the rule in force: the 2007
text of 64.2011 (R35, the default) or the amended FCC 23-111 text (R36, behind
``CPNI_BREACH_RULE=2023``). Breach records are kept at least 2 years (R32).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.audit import AuditAction, AuditEvent
from bot.domain.breach_clock import BreachClock, BreachRule, breach_clock
from bot.errors import IllegalTransitionError

__all__ = [
    "RECORD_RETENTION",
    "TRIGGER_ACTIONS",
    "BreachClock",
    "BreachRule",
    "IncidentCandidate",
    "IncidentKind",
    "IncidentRules",
    "IncidentState",
    "breach_clock",
    "candidate_for",
    "check_transition",
    "retain_until",
]

#: Breach records are kept at least two years (R32, 64.2011(d)).
RECORD_RETENTION = timedelta(days=730)


class IncidentKind(StrEnum):
    """Which signal opened the incident."""

    REPEATED_LOCKOUTS = "repeated_lockouts"
    POSSIBLE_PRETEXTING = "possible_pretexting"
    DISCLOSED_WHILE_LOCKED = "disclosed_while_locked"
    MISDIRECTED_CPNI = "misdirected_cpni"


class IncidentState(StrEnum):
    """Where an incident is in its workflow."""

    OPEN = "open"
    UNDER_REVIEW = "under_review"
    BREACH_DETERMINED = "breach_determined"
    CLOSED = "closed"


#: Audit actions the incident rules look at; every other action is ignored.
TRIGGER_ACTIONS = frozenset(
    {
        AuditAction.PIN_LOCKOUT,
        AuditAction.POSSIBLE_PRETEXTING,
        AuditAction.DISCLOSED_WHILE_LOCKED,
        AuditAction.CPNI_MISDIRECTED,
    }
)

_ALLOWED: dict[IncidentState, frozenset[IncidentState]] = {
    IncidentState.OPEN: frozenset(
        {IncidentState.UNDER_REVIEW, IncidentState.BREACH_DETERMINED, IncidentState.CLOSED}
    ),
    IncidentState.UNDER_REVIEW: frozenset({IncidentState.BREACH_DETERMINED, IncidentState.CLOSED}),
    IncidentState.BREACH_DETERMINED: frozenset({IncidentState.CLOSED}),
    IncidentState.CLOSED: frozenset(),
}


@dataclass(frozen=True, slots=True)
class IncidentRules:
    """Thresholds for the rules ([DESIGN]; R26 names the pattern, not the numbers).

    Attributes:
        lockouts_threshold: lockouts of one account that make "repeated lockouts".
        lockout_window: how far back those lockouts count.
    """

    lockouts_threshold: int = 2
    lockout_window: timedelta = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class IncidentCandidate:
    """An incident the rules want open; ``subject`` groups repeats into one incident."""

    kind: IncidentKind
    subject: str
    summary: str
    account_number: str | None
    conversation_key: str | None


def candidate_for(
    event: AuditEvent, *, prior_lockouts: int = 0, rules: IncidentRules | None = None
) -> IncidentCandidate | None:
    """The incident ``event`` calls for, if any.

    Args:
        event: an audit event.
        prior_lockouts: lockouts of the same account within ``rules.lockout_window`` before
            this one (only read for ``pin_lockout`` events).
        rules: thresholds; the defaults when omitted.
    """
    rules = rules or IncidentRules()
    action = str(event.action)
    account, conversation = event.account_number, event.conversation_key
    if action == AuditAction.PIN_LOCKOUT:
        total = prior_lockouts + 1
        if account is None or total < rules.lockouts_threshold:
            return None
        hours = rules.lockout_window.total_seconds() / 3600
        return _make(
            IncidentKind.REPEATED_LOCKOUTS,
            f"account:{account}",
            f"account locked out {total} times within {hours:g} hours (R26)",
            event,
        )
    if action == AuditAction.POSSIBLE_PRETEXTING:
        subject = account or conversation or f"actor:{event.actor}"
        return _make(
            IncidentKind.POSSIBLE_PRETEXTING,
            subject,
            "possible pretexting signal: failed PINs across accounts (R26)",
            event,
        )
    if action == AuditAction.DISCLOSED_WHILE_LOCKED:
        return _make(
            IncidentKind.DISCLOSED_WHILE_LOCKED,
            conversation or f"account:{account}",
            f"CPNI disclosed on a locked thread by {event.actor} (R6, R27)",
            event,
        )
    if action == AuditAction.CPNI_MISDIRECTED:
        return _make(
            IncidentKind.MISDIRECTED_CPNI,
            conversation or f"account:{account}",
            "CPNI posted into another customer's ticket or sent to the wrong recipient (R28)",
            event,
        )
    return None


def _make(kind: IncidentKind, subject: str, summary: str, event: AuditEvent) -> IncidentCandidate:
    return IncidentCandidate(
        kind=kind,
        subject=subject,
        summary=summary,
        account_number=event.account_number,
        conversation_key=event.conversation_key,
    )


def check_transition(current: IncidentState, target: IncidentState, *, note: str | None) -> None:
    """Refuse a state change the workflow does not allow.

    Closing always needs a note saying why (the 2-year record must explain itself, R32).

    Raises:
        IllegalTransitionError: naming both states.
    """
    if target not in _ALLOWED[current]:
        raise IllegalTransitionError(f"an incident cannot go from {current} to {target}")
    if target is IncidentState.CLOSED and not (note and note.strip()):
        raise IllegalTransitionError("closing an incident needs a note giving the reason")


def retain_until(closed_at: datetime | None) -> datetime | None:
    """Until when the incident's record must be kept: 2 years after closing (R32); open: always."""
    return None if closed_at is None else closed_at + RECORD_RETENTION
