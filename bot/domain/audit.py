"""Audit events and the hash chain that makes the log tamper-evident (R31).

An event is hashed together with the hash of the event before it, so editing, deleting or
reordering any row breaks every later link. Events carry who, what, where, how and the outcome:
never a PIN, hash, token, secret or message body (style rule 4). :func:`check_details` refuses
details whose keys name such things, so a careless caller fails loudly in tests.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

__all__ = [
    "GENESIS_HASH",
    "AuditAction",
    "AuditEvent",
    "chain_hash",
    "check_details",
]

#: The ``prev_hash`` of the very first event.
GENESIS_HASH = "0" * 64

_FORBIDDEN_KEY_PARTS = ("pin", "hash", "token", "secret", "password", "body", "text", "answer")
_ALLOWED_KEYS = frozenset({"pin_policy_reasons", "text_length"})


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
    DISCLOSED_WHILE_LOCKED = "disclosed_while_locked"
    POSSIBLE_PRETEXTING = "possible_pretexting"
    NOTICE_SENT = "notice_sent"
    NOTICE_SKIPPED = "notice_skipped"
    NOTICE_FAILED = "notice_failed"
    OUTBOX_DEAD_LETTER = "outbox_dead_letter"
    AUDIT_PURGED = "audit_purged"


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
        lowered = key.lower()
        if lowered not in _ALLOWED_KEYS and any(p in lowered for p in _FORBIDDEN_KEY_PARTS):
            raise ValueError(f"audit detail key {key!r} may hold a secret or a message body")
        if isinstance(value, Mapping):
            check_details(value)


def _canonical_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def chain_hash(prev_hash: str, event: AuditEvent) -> str:
    """The SHA-256 (hex) of the previous hash and the event's canonical JSON form."""
    body = {
        "occurred_at": _canonical_time(event.occurred_at),
        "actor": event.actor,
        "action": str(event.action),
        "surface": event.surface,
        "conversation_key": event.conversation_key,
        "account_number": event.account_number,
        "method": event.method,
        "outcome": event.outcome,
        "categories": list(event.categories),
        "details": dict(event.details),
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()
