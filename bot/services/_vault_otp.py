"""One-time reset codes sent to a contact of record (R14), stored only as peppered argon2id.

A reset is allowed only after authentication that uses no biographical or account data
(47 CFR 64.2010(e)): a short code sent to the telephone number of record (SMS) or, failing
that, to an e-mail address of record (on the account 30 days or more, R22/R25). The code is
hashed like a PIN; the outbox effect that delivers it carries it sealed with AES-GCM under a
key derived from the pepper, so neither the database nor a backup reveals it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.security import PepperRing, PinHasher, StoredPin
from bot.services._vault_types import ResetCode
from bot.storage.accounts import Account, EmailAddress, PhoneNumber
from bot.storage.vault import PinResetCode
from bot.worker import enqueue_effect

__all__ = ["OTP_EFFECT", "OtpMessage", "check_code", "issue_code", "open_otp_payload"]

OTP_EFFECT: Final = "notify.otp"
CODE_DIGITS: Final = 6
_SEAL_CONTEXT: Final = b"cpni-guard/otp-seal/v1"
_RECORD_AGE: Final = timedelta(days=30)


@dataclass(frozen=True)
class OtpMessage:
    """An opened ``notify.otp`` payload, for the delivering handler only.

    Attributes:
        account_number: the account the code is for.
        channel: ``sms`` or ``email``.
        destination: the E.164 number or e-mail address of record.
        code: the one-time code in clear (never log it).
        expires_at: ISO 8601 UTC end of validity.
    """

    account_number: str
    channel: str
    destination: str
    code: str = ""
    expires_at: str = ""

    def __repr__(self) -> str:
        return f"OtpMessage(account_number={self.account_number!r}, channel={self.channel!r})"


def issue_code(
    session: Session,
    account: Account,
    *,
    hasher: PinHasher,
    pepper: PepperRing,
    now: datetime,
    ttl: timedelta,
) -> ResetCode:
    """Issue a new code for ``account`` (superseding open ones) and queue its delivery."""
    contact = _contact_of_record(session, account, now=now)
    if contact is None:
        return ResetCode(sent=False, reason="no_contact_of_record")
    channel, destination = contact
    for row in session.scalars(
        select(PinResetCode).where(
            PinResetCode.account_id == account.id, PinResetCode.state == "open"
        )
    ):
        row.state = "superseded"
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    stored = hasher.hash(code)
    expires = now + ttl
    row = PinResetCode(
        account_id=account.id,
        code_hash=stored.hash,
        pepper_key_id=stored.key_id,
        channel=channel,
        state="open",
        attempts=0,
        created_at=now,
        expires_at=expires,
    )
    session.add(row)
    session.flush()
    message = OtpMessage(account.account_number, channel, destination, code, expires.isoformat())
    enqueue_effect(
        session, key=f"otp:{row.id}", kind=OTP_EFFECT, payload=_seal(pepper, message), now=now
    )
    return ResetCode(sent=True, reason="sent", channel=channel, expires_at=expires)


def check_code(
    session: Session,
    account: Account,
    code: str,
    *,
    hasher: PinHasher,
    now: datetime,
    max_attempts: int,
) -> PinResetCode | None:
    """Check the account's open code; every try is counted, too many kill the code.

    Returns:
        The matching code's row, still open: the caller marks it used once the new PIN is
        accepted, so a PIN refused by the policy does not waste the code. ``None`` otherwise.
    """
    row = session.execute(
        select(PinResetCode)
        .where(PinResetCode.account_id == account.id, PinResetCode.state == "open")
        .order_by(PinResetCode.id.desc())
        .limit(1)
        .with_for_update()
    ).scalar_one_or_none()
    if row is None or now >= row.expires_at:
        hasher.dummy_verify(code)
        return None
    row.attempts += 1
    if hasher.verify(code, StoredPin(hash=row.code_hash, key_id=row.pepper_key_id)).ok:
        return row
    if row.attempts >= max_attempts:
        row.state = "exhausted"
    return None


def open_otp_payload(pepper: PepperRing, payload: dict[str, Any]) -> OtpMessage:
    """Open a ``notify.otp`` payload sealed by ``issue_code``.

    Raises:
        ValueError: the payload was not sealed under a configured pepper key, or was altered.
    """
    key = pepper.find(str(payload.get("key_id", "")))
    if key is None:
        raise ValueError("the one-time code was sealed under an unknown pepper key")
    blob = base64.b64decode(str(payload.get("sealed", "")))
    header = _header(payload)
    try:
        clear = AESGCM(_seal_key(key.secret)).decrypt(blob[:12], blob[12:], header)
    except InvalidTag as exc:
        raise ValueError("the one-time code payload was altered") from exc
    return OtpMessage(
        str(payload["account_number"]),
        str(payload["channel"]),
        str(payload["destination"]),
        clear.decode("ascii"),
        str(payload["expires_at"]),
    )


def _seal(pepper: PepperRing, message: OtpMessage) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "account_number": message.account_number,
        "channel": message.channel,
        "destination": message.destination,
        "expires_at": message.expires_at,
        "key_id": pepper.current.key_id,
    }
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_seal_key(pepper.current.secret)).encrypt(
        nonce, message.code.encode("ascii"), _header(payload)
    )
    payload["sealed"] = base64.b64encode(nonce + sealed).decode("ascii")
    return payload


def _header(payload: dict[str, Any]) -> bytes:
    fields = ("account_number", "channel", "destination", "expires_at", "key_id")
    return json.dumps([str(payload.get(f, "")) for f in fields]).encode()


def _seal_key(secret: bytes) -> bytes:
    return hmac.new(secret, _SEAL_CONTEXT, hashlib.sha256).digest()


def _contact_of_record(
    session: Session, account: Account, *, now: datetime
) -> tuple[str, str] | None:
    """The telephone number of record, else an e-mail address of record (30 days or more)."""
    phone = session.scalars(
        select(PhoneNumber.e164)
        .where(
            PhoneNumber.account_id == account.id,
            PhoneNumber.kind == "service",
            PhoneNumber.retired_at.is_(None),
        )
        .order_by(PhoneNumber.associated_since, PhoneNumber.id)
    ).first()
    if phone:
        return "sms", phone
    email = session.scalars(
        select(EmailAddress.address)
        .where(
            EmailAddress.account_id == account.id,
            EmailAddress.retired_at.is_(None),
            EmailAddress.associated_since <= now - _RECORD_AGE,
        )
        .order_by(EmailAddress.associated_since, EmailAddress.id)
    ).first()
    return ("email", email) if email else None
