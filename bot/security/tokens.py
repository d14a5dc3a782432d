"""One-time tokens and HMAC signatures, every comparison in constant time (style rule 3).

Tokens (self-service links, one-time codes' ids) are random, at least 128 bits, and stored only
as their SHA-256 hex digest: a database reader cannot replay them. Webhook signatures follow
Zendesk's scheme: ``base64(HMAC-SHA256(secret, timestamp + raw_body))`` with no separator,
compared with ``hmac.compare_digest``, and refused when the timestamp is outside a tolerance
window (replay protection; Zendesk defines none, so ``DEFAULT_SIGNATURE_TOLERANCE`` is ours).
Slack requests are checked with slack_sdk's ``SignatureVerifier`` instead (DESIGN section 3).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Final

__all__ = [
    "DEFAULT_SIGNATURE_TOLERANCE",
    "DEFAULT_TOKEN_BYTES",
    "MIN_TOKEN_BYTES",
    "SignatureCheck",
    "check_signature",
    "hash_token",
    "hmac_sha256_b64",
    "new_token",
    "tokens_equal",
    "verify_signature",
]

MIN_TOKEN_BYTES: Final = 16
"""Smallest token accepted by ``new_token``: 16 bytes = 128 bits of randomness."""

DEFAULT_TOKEN_BYTES: Final = 32
"""Default token size: 32 bytes = 256 bits, 43 URL-safe characters."""

DEFAULT_SIGNATURE_TOLERANCE: Final = timedelta(minutes=5)
"""How far a signed timestamp may lie from ``now``, either way (Slack uses the same 300 s)."""


class SignatureCheck(StrEnum):
    """Why a signed request was accepted or refused. Only ``VALID`` means accept."""

    VALID = "valid"
    MISSING = "missing"
    BAD_TIMESTAMP = "bad_timestamp"
    BAD_SIGNATURE = "bad_signature"
    STALE = "stale"


def new_token(nbytes: int = DEFAULT_TOKEN_BYTES) -> str:
    """Return a new random URL-safe token from the OS CSPRNG.

    Args:
        nbytes: bytes of randomness, at least ``MIN_TOKEN_BYTES`` (128 bits).

    Returns:
        The token, URL-safe base64 without padding (about 1.33 characters per byte).

    Raises:
        ValueError: ``nbytes`` is below ``MIN_TOKEN_BYTES``.
    """
    if nbytes < MIN_TOKEN_BYTES:
        raise ValueError(f"tokens need at least {MIN_TOKEN_BYTES} bytes of randomness")
    return secrets.token_urlsafe(nbytes)


def hash_token(token: str) -> str:
    """Return the SHA-256 hex digest under which a token is stored and looked up.

    A plain (unsalted, unkeyed) hash is enough because tokens carry at least 128 random bits;
    it makes the stored value useless to a database reader and lookups exact.
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def tokens_equal(a: str | bytes, b: str | bytes) -> bool:
    """Compare two tokens, digests or signatures in constant time (``hmac.compare_digest``).

    Text is compared as UTF-8 bytes, so non-ASCII input is compared rather than rejected.
    """
    left = a.encode("utf-8") if isinstance(a, str) else a
    right = b.encode("utf-8") if isinstance(b, str) else b
    return hmac.compare_digest(left, right)


def hmac_sha256_b64(secret: str | bytes, *parts: str | bytes) -> str:
    """Return ``base64(HMAC-SHA256(secret, part1 + part2 + ...))`` with no separator.

    Args:
        secret: the shared signing secret (text is UTF-8 encoded). Must not be empty.
        *parts: message parts, concatenated as given (text is UTF-8 encoded).

    Returns:
        The standard base64 encoding of the 32-byte MAC (44 characters).

    Raises:
        ValueError: the secret is empty.
    """
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    if not key:
        raise ValueError("the signing secret is empty")
    mac = hmac.new(key, digestmod=hashlib.sha256)
    for part in parts:
        mac.update(part.encode("utf-8") if isinstance(part, str) else part)
    return base64.b64encode(mac.digest()).decode("ascii")


def check_signature(
    secret: str | bytes,
    *,
    signature: str | None,
    timestamp: str | None,
    body: bytes,
    now: datetime,
    tolerance: timedelta = DEFAULT_SIGNATURE_TOLERANCE,
) -> SignatureCheck:
    """Check a Zendesk-style webhook signature and say why it fails, if it does.

    Args:
        secret: the webhook signing secret.
        signature: the ``X-Zendesk-Webhook-Signature`` header (base64), if present.
        timestamp: the ``X-Zendesk-Webhook-Signature-Timestamp`` header, if present: ISO 8601
            with an offset (``2024-04-17T17:18:10Z``) or integer Unix seconds.
        body: the raw request body exactly as received (never re-serialised JSON).
        now: the current time, timezone-aware (injected; style rule 7).
        tolerance: the largest accepted distance between ``timestamp`` and ``now``.

    Returns:
        ``SignatureCheck.VALID`` only for an authentic, fresh request; otherwise the reason.
        The MAC is compared in constant time, before freshness is judged, so ``STALE`` means
        an authentic but old (possibly replayed) request.

    Raises:
        ValueError: ``now`` is naive or the secret is empty.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if not signature or timestamp is None:
        return SignatureCheck.MISSING
    signed_at = _parse_timestamp(timestamp)
    if signed_at is None:
        return SignatureCheck.BAD_TIMESTAMP
    expected = hmac_sha256_b64(secret, timestamp, body)
    if not tokens_equal(expected, signature):
        return SignatureCheck.BAD_SIGNATURE
    if abs(now - signed_at) > tolerance:
        return SignatureCheck.STALE
    return SignatureCheck.VALID


def verify_signature(
    secret: str | bytes,
    *,
    signature: str | None,
    timestamp: str | None,
    body: bytes,
    now: datetime,
    tolerance: timedelta = DEFAULT_SIGNATURE_TOLERANCE,
) -> bool:
    """Return whether ``check_signature`` finds the request authentic and fresh.

    Args and Raises are those of ``check_signature``.
    """
    verdict = check_signature(
        secret, signature=signature, timestamp=timestamp, body=body, now=now, tolerance=tolerance
    )
    return verdict is SignatureCheck.VALID


def _parse_timestamp(raw: str) -> datetime | None:
    """Parse ISO 8601 with an offset, or integer Unix seconds; ``None`` if neither."""
    text = raw.strip()
    if text.isascii() and text.isdigit():
        try:
            return datetime.fromtimestamp(int(text), tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None
