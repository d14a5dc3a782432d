"""Specification of one-time tokens and webhook signature checks (style rule 3)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.security import (
    SignatureCheck,
    check_signature,
    hash_token,
    hmac_sha256_b64,
    new_token,
    tokens_equal,
    verify_signature,
)

SECRET = "dGhpcyBpcyBhIHNhbXBsZSBzZWNyZXQ="
NOW = datetime(2024, 4, 17, 17, 18, 10, tzinfo=UTC)
STAMP = "2024-04-17T17:18:10Z"


def _zendesk_reference(secret: str, ts: str, raw_body: bytes) -> str:
    """The reference signer from platform-notes.md (Zendesk's documented algorithm)."""
    mac = hmac.new(secret.encode(), ts.encode() + raw_body, hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def _body() -> bytes:
    """A raw Zendesk event body, as received (never re-serialised before checking)."""
    return (
        b'{"type":"zen:event-type:ticket.created","account_id":22129848,'
        b'"id":"cbe4028c-7239-495d-b020-f22348516046","time":"2024-04-17T17:18:10Z",'
        b'"detail":{"id":"35436","subject":"Help, my printer is on fire!"}}'
    )


# --- tokens -------------------------------------------------------------------------------


def test_new_token_is_urlsafe_with_at_least_128_bits() -> None:
    """A token is URL-safe base64 and carries at least 16 random bytes."""
    token = new_token()
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert len(token) >= 43  # 32 bytes by default
    assert len(new_token(16)) >= 22


def test_new_tokens_differ() -> None:
    """Two tokens are never the same (CSPRNG)."""
    assert len({new_token() for _ in range(100)}) == 100


def test_new_token_refuses_fewer_than_128_bits() -> None:
    """Asking for under 16 bytes of randomness is a ValueError."""
    with pytest.raises(ValueError, match="16 bytes"):
        new_token(15)


def test_hash_token_is_sha256_hex() -> None:
    """Tokens are stored as their SHA-256 hex digest (FIPS 180-2 'abc' vector)."""
    expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert hash_token("abc") == expected


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        ("tok", "tok", True),
        ("tok", "tol", False),
        ("tok", "toke", False),
        (b"tok", "tok", True),
        ("ünï", "ünï", True),
        ("ünï", "uni", False),
    ],
)
def test_tokens_equal_compares_text_and_bytes(a: str | bytes, b: str | bytes, equal: bool) -> None:
    """tokens_equal compares str or bytes (UTF-8) through hmac.compare_digest."""
    assert tokens_equal(a, b) is equal


@given(st.text(), st.text())
def test_tokens_equal_agrees_with_equality(a: str, b: str) -> None:
    """For any two strings tokens_equal is plain equality, computed in constant time."""
    assert tokens_equal(a, b) is (a == b)


# --- HMAC ---------------------------------------------------------------------------------


def test_hmac_sha256_b64_matches_rfc4231_vector() -> None:
    """RFC 4231 test case 2 ('Jefe'), base64-encoded."""
    mac = bytes.fromhex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    assert hmac_sha256_b64("Jefe", "what do ya want ", b"for nothing?") == (
        base64.b64encode(mac).decode()
    )


def test_hmac_refuses_an_empty_secret() -> None:
    """An empty signing secret is a ValueError, never a MAC anyone can forge."""
    with pytest.raises(ValueError, match="empty"):
        hmac_sha256_b64("", "x")


# --- webhook signatures -------------------------------------------------------------------


def test_zendesk_signature_from_reference_signer_is_valid() -> None:
    """A request signed as Zendesk documents (timestamp + raw body, base64) is accepted."""
    body = _body()
    signature = _zendesk_reference(SECRET, STAMP, body)
    assert verify_signature(SECRET, signature=signature, timestamp=STAMP, body=body, now=NOW)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, SignatureCheck.VALID),
        ({"signature": None}, SignatureCheck.MISSING),
        ({"signature": ""}, SignatureCheck.MISSING),
        ({"timestamp": None}, SignatureCheck.MISSING),
        ({"timestamp": "yesterday"}, SignatureCheck.BAD_TIMESTAMP),
        ({"timestamp": "2024-04-17T17:18:10"}, SignatureCheck.BAD_TIMESTAMP),
        ({"body": b"{}"}, SignatureCheck.BAD_SIGNATURE),
        ({"secret": "another secret"}, SignatureCheck.BAD_SIGNATURE),
        ({"now": NOW + timedelta(minutes=5)}, SignatureCheck.VALID),
        ({"now": NOW + timedelta(minutes=5, seconds=1)}, SignatureCheck.STALE),
        ({"now": NOW - timedelta(minutes=6)}, SignatureCheck.STALE),
        ({"now": NOW + timedelta(minutes=9), "tolerance": timedelta(minutes=10)}, "valid"),
    ],
)
def test_signature_check_reasons(change: dict[str, object], expected: str) -> None:
    """Each tampering, omission or stale timestamp gets its own refusal reason."""
    body = _body()
    args: dict[str, object] = {
        "secret": SECRET,
        "signature": _zendesk_reference(SECRET, STAMP, body),
        "timestamp": STAMP,
        "body": body,
        "now": NOW,
    }
    args.update(change)
    secret = args.pop("secret")
    assert check_signature(secret, **args) == expected  # type: ignore[arg-type]


def test_unix_second_timestamps_are_accepted() -> None:
    """An integer Unix-seconds timestamp is signed and judged like an ISO one."""
    stamp = str(int(NOW.timestamp()))
    signature = hmac_sha256_b64(SECRET, stamp, b"body")
    assert verify_signature(SECRET, signature=signature, timestamp=stamp, body=b"body", now=NOW)


def test_naive_now_is_refused() -> None:
    """A naive 'now' is a programming error (time must be injected as aware UTC)."""
    with pytest.raises(ValueError, match="timezone-aware"):
        check_signature(SECRET, signature="x", timestamp=STAMP, body=b"", now=datetime(2024, 1, 1))


def test_verdict_is_not_truthy_by_accident() -> None:
    """verify_signature returns a real bool; only VALID counts as accepted."""
    assert verify_signature(SECRET, signature="x", timestamp=STAMP, body=b"", now=NOW) is False
