"""Audit events and the hash chain that makes the log tamper-evident (R31).

An event is hashed together with the hash of the event before it, so editing, deleting or
reordering any row breaks every later link. Events carry who, what, where, how and the outcome:
never a PIN, hash, token, secret or message body (style rule 4). :func:`check_details` refuses
details whose keys name such things, so a careless caller fails loudly in tests.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

__all__ = [
    "COMPLAINT_CATEGORIES",
    "GENESIS_HASH",
    "AuditAction",
    "AuditEvent",
    "chain_hash",
    "chain_hash_of",
    "check_details",
    "redact_details",
]

#: The ``prev_hash`` of the very first event.
GENESIS_HASH = "0" * 64

_FORBIDDEN_KEY_PARTS = ("pin", "hash", "token", "secret", "password", "body", "text", "answer")
_ALLOWED_KEYS = frozenset({"pin_policy_reasons", "text_length"})

#: Complaint categories of the FCC certification template (R33); tag: cpni_complaint_<key>.
COMPLAINT_CATEGORIES: dict[str, str] = {
    "employee_access": "improper access by employees",
    "disclosure": "improper disclosure to unauthorized individuals",
    "online_access": "improper access to online information by individuals not authorized",
}


class AuditAction(StrEnum):
    """What happened. Values are stable strings stored in the log and exports."""

    ACCOUNT_IMPORTED = "account_imported"
    ACCOUNT_UPDATED = "account_updated"
    CONVERSATION_LOCKED = "conversation_locked"
    CONVERSATION_UNLOCKED = "conversation_unlocked"
    CONVERSATION_EXPIRED = "conversation_expired"
    CONVERSATION_OVERRIDDEN = "conversation_overridden"
    CHALLENGE_CREATED = "challenge_created"
    PIN_VERIFY = "pin_verify"
    PIN_ENROLLED = "pin_enrolled"
    PIN_CHANGED = "pin_changed"
    PIN_RESET = "pin_reset"
    PIN_LOCKOUT = "pin_lockout"
    PIN_UNLOCKED = "pin_unlocked"
    #: A backup-authentication answer was set or changed (or the attempt was refused);
    #: details name the question id, never the answer. Verifications are ``pin_verify``
    #: with method ``backup_answer``.
    BACKUP_ANSWER_SET = "backup_answer_set"
    DISCLOSED_WHILE_LOCKED = "disclosed_while_locked"
    POSSIBLE_PRETEXTING = "possible_pretexting"
    NOTICE_SENT = "notice_sent"
    NOTICE_SKIPPED = "notice_skipped"
    NOTICE_FAILED = "notice_failed"
    OUTBOX_DEAD_LETTER = "outbox_dead_letter"
    AUDIT_PURGED = "audit_purged"
    AUDIT_EXPORTED = "audit_exported"
    #: CPNI of one account posted into another customer's ticket or sent to the wrong
    #: recipient (R28). ``account_number`` is the account whose CPNI was exposed.
    CPNI_MISDIRECTED = "cpni_misdirected"
    #: A customer complaint about unauthorised CPNI release; details ``{"category": ...}``
    #: with a :data:`COMPLAINT_CATEGORIES` value (R33).
    COMPLAINT_RECORDED = "complaint_recorded"
    #: Legal recorded a proceeding or petition against a data broker (R34).
    DATA_BROKER_ACTION = "data_broker_action"
    INCIDENT_OPENED = "incident_opened"
    INCIDENT_UPDATED = "incident_updated"


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEvent:
    """One audit event before it is chained and stored."""

    occurred_at: datetime
    actor: str
    action: AuditAction | str
    surface: str | None = None
    conversation_key: str | None = None
    account_number: str | None = None
    method: str | None = None
    outcome: str | None = None
    categories: tuple[str, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.occurred_at.tzinfo is None:
            raise ValueError("audit events need an aware UTC timestamp")
        check_details(self.details)


def check_details(details: Mapping[str, Any]) -> None:
    """Refuse detail keys that name a secret or a message body.

    Raises:
        ValueError: naming the offending key (never its value).
    """
    for key, value in details.items():
        if _is_forbidden(key):
            raise ValueError(f"audit detail key {key!r} may hold a secret or a message body")
        if isinstance(value, Mapping):
            check_details(value)


def _is_forbidden(key: str) -> bool:
    lowered = key.lower()
    return lowered not in _ALLOWED_KEYS and any(p in lowered for p in _FORBIDDEN_KEY_PARTS)


def redact_details(details: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``details`` without any key :func:`check_details` would refuse.

    Exports pass stored details through this as a second line of defence: a row written before
    a key was forbidden, or by hand, still cannot leak a secret through an export.
    """
    return {
        key: redact_details(value) if isinstance(value, Mapping) else value
        for key, value in details.items()
        if not _is_forbidden(key)
    }


def _canonical_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def chain_hash(prev_hash: str, event: AuditEvent) -> str:
    """The SHA-256 (hex) of the previous hash and the event's canonical JSON form."""
    return chain_hash_of(
        prev_hash,
        occurred_at=event.occurred_at,
        actor=event.actor,
        action=str(event.action),
        surface=event.surface,
        conversation_key=event.conversation_key,
        account_number=event.account_number,
        method=event.method,
        outcome=event.outcome,
        categories=event.categories,
        details=event.details,
    )


def chain_hash_of(
    prev_hash: str,
    *,
    occurred_at: datetime,
    actor: str,
    action: str,
    surface: str | None,
    conversation_key: str | None,
    account_number: str | None,
    method: str | None,
    outcome: str | None,
    categories: Sequence[str],
    details: Mapping[str, Any],
) -> str:
    """:func:`chain_hash` over plain field values (verification reads rows without events)."""
    body = {
        "occurred_at": _canonical_time(occurred_at),
        "actor": actor,
        "action": action,
        "surface": surface,
        "conversation_key": conversation_key,
        "account_number": account_number,
        "method": method,
        "outcome": outcome,
        "categories": list(categories),
        "details": dict(details),
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()
