"""Zendesk webhook signatures: base64(HMAC-SHA256(secret, timestamp + raw body)).

Zendesk signs every webhook request with the webhook's signing secret over the plain
concatenation of the ``X-Zendesk-Webhook-Signature-Timestamp`` header and the raw request body
(no separator; base64, not hex). Zendesk defines no freshness window, so we enforce one: a
request older (or further in the future) than ``max_age`` is refused as a possible replay
(platform-notes B1).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta
from enum import StrEnum

__all__ = ["SignatureCheck", "check_signature", "parse_timestamp", "sign"]


class SignatureCheck(StrEnum):
    """Why a webhook signature was accepted or refused (never echoes the secret)."""

    OK = "ok"
    MISSING = "missing signature or timestamp"
    BAD_TIMESTAMP = "unreadable timestamp"
    STALE = "stale timestamp"
    MISMATCH = "signature mismatch"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature Zendesk sends for ``body`` at ``timestamp``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(mac).decode("ascii")


def parse_timestamp(value: str) -> datetime | None:
    """Read Zendesk's ISO-8601 timestamp (``2026-03-02T15:00:00Z``); ``None`` if unreadable."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def check_signature(
    secret: str,
    *,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    now: datetime,
    max_age: timedelta,
) -> SignatureCheck:
    """Check a webhook request; the MAC is compared in constant time.

    Args:
        secret: the webhook's signing secret.
        timestamp: the ``X-Zendesk-Webhook-Signature-Timestamp`` header.
        signature: the ``X-Zendesk-Webhook-Signature`` header.
        body: the raw body exactly as received.
        now: the current time.
        max_age: how far the timestamp may be from ``now`` either way.
    """
    if not timestamp or not signature:
        return SignatureCheck.MISSING
    sent_at = parse_timestamp(timestamp)
    if sent_at is None:
        return SignatureCheck.BAD_TIMESTAMP
    expected = sign(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        return SignatureCheck.MISMATCH
    if abs(now - sent_at) > max_age:
        return SignatureCheck.STALE
    return SignatureCheck.OK
