"""Self-service PIN links: one-time, expiring, rate-limited, bound to a conversation and account.

The customer opens the bot's own page and types the PIN there, so it never enters the
transcript. A link token has 256 bits of randomness, is shown once and stored only as its
SHA-256, works once (on success), expires (default 15 minutes) and allows at most
:data:`MAX_LINK_SUBMISSIONS` tries; the vault's account-wide attempt limit applies as well.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.audit import AuditAction, AuditEvent
from bot.domain.lock import on_challenge
from bot.domain.verification import VerificationOutcome, Verified
from bot.security.tokens import hash_token, new_token
from bot.services._conversation_store import ConversationView, load_row, save_lock, to_view
from bot.services.pin_gate import PinVerifier, submit_pin
from bot.storage.accounts import Account
from bot.storage.audit_log import append
from bot.storage.db import Database
from bot.storage.records import Challenge, Conversation

__all__ = [
    "MAX_LINK_SUBMISSIONS",
    "IssuedLink",
    "LinkResult",
    "LinkStatus",
    "create_link",
    "inspect_link",
    "submit_link_pin",
]

#: Submissions one link allows before it stops accepting PINs.
MAX_LINK_SUBMISSIONS = 5


@dataclass(frozen=True, slots=True)
class IssuedLink:
    """A new link. ``token`` is shown once, to be passed to the customer, and never stored."""

    token: str
    path: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class LinkStatus:
    """What a link is good for now: ``valid``, ``expired``, ``used``, ``exhausted``, ``unknown``."""

    state: str
    key: str | None = None
    account_number: str | None = None
    expires_at: datetime | None = None
    attempts_left: int = 0


@dataclass(frozen=True, slots=True)
class LinkResult:
    """The link's state after a submission and, if the vault was asked, its outcome."""

    status: LinkStatus
    outcome: VerificationOutcome | None = None
    view: ConversationView | None = None


def create_link(
    session: Session,
    *,
    key: str,
    account_number: str | None,
    created_by: str,
    now: datetime,
    ttl_minutes: int = 15,
) -> IssuedLink:
    """Issue a link for the conversation ``key`` and its account, and mark it challenged.

    Raises:
        LookupError: the conversation is unknown, or no (known) account is tied to it.
    """
    row = load_row(session, key=key)
    if row is None:
        raise LookupError("this conversation is not known to cpni-guard")
    number = account_number or to_view(session, row).account_number
    account_id = (
        session.scalar(select(Account.id).where(Account.account_number == number))
        if number
        else None
    )
    if account_id is None:
        raise LookupError("link the conversation to a known account first")
    token = new_token()
    expires = now + timedelta(minutes=ttl_minutes)
    session.add(
        Challenge(
            id=str(uuid.uuid4()),
            conversation_id=row.id,
            account_id=account_id,
            method="link",
            token_hash=hash_token(token),
            created_by=created_by,
            created_at=now,
            expires_at=expires,
            attempts=0,
        )
    )
    view = to_view(session, row)
    if view.is_locked:
        view = save_lock(session, row, on_challenge(view.lock, now=now), now=now)
    append(
        session,
        AuditEvent(
            occurred_at=now,
            actor=created_by,
            action=AuditAction.CHALLENGE_CREATED,
            surface=row.surface,
            conversation_key=key,
            account_number=number,
            method="link",
            outcome="issued",
            details={"expires_at": expires.isoformat()},
        ),
    )
    return IssuedLink(token=token, path=f"/v/{token}", expires_at=expires)


def _status(session: Session, challenge: Challenge | None, *, now: datetime) -> LinkStatus:
    if challenge is None:
        return LinkStatus("unknown")
    conversation = session.get(Conversation, challenge.conversation_id)
    account = session.get(Account, challenge.account_id) if challenge.account_id else None
    left = max(MAX_LINK_SUBMISSIONS - challenge.attempts, 0)
    if challenge.used_at is not None:
        state = "used"
    elif now >= challenge.expires_at:
        state = "expired"
    else:
        state = "valid" if left else "exhausted"
    return LinkStatus(
        state,
        key=conversation.key if conversation else None,
        account_number=account.account_number if account else None,
        expires_at=challenge.expires_at,
        attempts_left=left if state == "valid" else 0,
    )


def _find(session: Session, token: str, *, for_update: bool) -> Challenge | None:
    query = select(Challenge).where(Challenge.token_hash == hash_token(token))
    return session.scalars(query.with_for_update() if for_update else query).one_or_none()


def inspect_link(session: Session, *, token: str, now: datetime) -> LinkStatus:
    """The link's state (for rendering the page); never counts as an attempt."""
    return _status(session, _find(session, token, for_update=False), now=now)


def submit_link_pin(
    database: Database,
    vault: PinVerifier,
    *,
    token: str,
    pin: str,
    now: datetime,
    ttl_minutes: int = 30,
) -> LinkResult:
    """Check a PIN typed on the self-service page; single-use on success."""
    with database.transaction() as session:
        challenge = _find(session, token, for_update=True)
        status = _status(session, challenge, now=now)
        if status.state != "valid" or challenge is None:
            return LinkResult(status)
        challenge.attempts += 1  # reserved before the slow hash, so parallel posts cannot exceed
        challenge_id = challenge.id
    assert status.key is not None and status.account_number is not None
    result = submit_pin(
        database,
        vault,
        key=status.key,
        account_number=status.account_number,
        pin=pin,
        actor="customer",
        method="link",
        ttl_minutes=ttl_minutes,
        now=now,
    )
    with database.transaction() as session:
        challenge = session.get(Challenge, challenge_id, with_for_update=True)
        assert challenge is not None
        challenge.outcome = result.outcome.kind
        if isinstance(result.outcome, Verified):
            challenge.used_at = now
        status = _status(session, challenge, now=now)
    return LinkResult(status, result.outcome, result.view)
