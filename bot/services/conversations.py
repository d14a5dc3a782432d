"""Conversations and their locks: screening threads, linking accounts, challenges, overrides.

Surfaces (Slack, Zendesk, the verify page) never decide lock state themselves: they call these
use cases and turn the results into platform effects. Every visible change bumps the
conversation's ``version``, writes an audit event and enqueues the outbox effect
``"{surface}.sync_note"`` (idempotency key ``"{key}:sync:{version}"``), so the sticky note is
rewritten wherever the conversation lives, whoever changed it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.domain.audit import AuditAction
from bot.domain.lock import (
    Lock,
    LockState,
    on_challenge,
    on_expiry,
    on_manual_lock,
    on_override,
)
from bot.services._conversation_store import (
    ConversationView,
    audit_view,
    find_accounts,
    load_row,
    load_views,
    save_lock,
    to_view,
)
from bot.services._screening import Message, ScreenOutcome, default_detector, screen
from bot.storage.accounts import Account, Credential
from bot.storage.records import Conversation

__all__ = [
    "ConversationView",
    "Message",
    "ScreenOutcome",
    "default_detector",
    "expire_due",
    "get_view",
    "link_account",
    "lock",
    "locked_out_accounts",
    "override",
    "recent_for_actor",
    "screen",
    "set_note_ref",
    "start_challenge",
]


def get_view(session: Session, key: str) -> ConversationView | None:
    """The conversation's current view, or None if the bot has never seen it."""
    row = load_row(session, key=key, for_update=False)
    return None if row is None else to_view(session, row)


def _require(
    session: Session, key: str, *, surface: str | None = None, now: datetime | None = None
) -> Conversation:
    row = load_row(session, key=key, surface=surface, now=now, create=surface is not None)
    if row is None:
        raise LookupError("this conversation is not known to cpni-guard")
    return row


def link_account(
    session: Session, *, key: str, surface: str, account_number: str, actor: str, now: datetime
) -> ConversationView:
    """Tie the thread to an account of the directory; a live verification for another lapses."""
    found = find_accounts(session, [account_number])
    if not found:
        raise LookupError("unknown account")
    row = _require(session, key, surface=surface, now=now)
    before = to_view(session, row)
    current = before.lock
    if before.account_number != found[0] and current.state is LockState.VERIFIED:
        current = Lock(LockState.LOCKED, account_number=found[0])
    view = save_lock(session, row, current, account_number=found[0], now=now)
    audit_view(
        session,
        view,
        action=AuditAction.CONVERSATION_LOCKED if view.is_locked else AuditAction.ACCOUNT_UPDATED,
        actor=actor,
        now=now,
        outcome="account_linked",
    )
    return view


def start_challenge(
    session: Session, *, key: str, actor: str, method: str, now: datetime
) -> ConversationView:
    """A PIN challenge began (R6): ``locked -> challenged``."""
    row = _require(session, key)
    before = to_view(session, row)
    view = save_lock(session, row, on_challenge(before.lock, now=now), now=now)
    audit_view(
        session,
        view,
        action=AuditAction.CHALLENGE_CREATED,
        actor=actor,
        now=now,
        method=method,
        outcome=view.state.value,
    )
    return view


def lock(
    session: Session, *, key: str, surface: str, actor: str, now: datetime
) -> ConversationView:
    """Lock the thread by hand (``/cpni lock``)."""
    row = _require(session, key, surface=surface, now=now)
    view = save_lock(session, row, on_manual_lock(to_view(session, row).lock, now=now), now=now)
    audit_view(
        session,
        view,
        action=AuditAction.CONVERSATION_LOCKED,
        actor=actor,
        now=now,
        outcome="manual",
    )
    return view


def override(
    session: Session,
    *,
    key: str,
    actor: str,
    reason: str,
    now: datetime,
    ttl: timedelta = timedelta(minutes=30),
) -> ConversationView:
    """A supervisor lifts the lock with a reason; the override is audited with its author (R27).

    The reason text is the supervisor's own words, kept in the audit as their justification.
    """
    row = _require(session, key)
    view = save_lock(
        session,
        row,
        on_override(to_view(session, row).lock, by=actor, reason=reason, now=now, ttl=ttl),
        now=now,
    )
    audit_view(
        session,
        view,
        action=AuditAction.CONVERSATION_OVERRIDDEN,
        actor=actor,
        now=now,
        method="override",
        outcome="overridden",
        details={"reason": reason[:500]},
    )
    return view


def expire_due(session: Session, *, now: datetime) -> list[ConversationView]:
    """Lapse verifications and overrides whose time is up (R17); returns the changed views."""
    rows = session.scalars(
        select(Conversation)
        .where(
            Conversation.lock_state.in_(
                [s.value for s in (LockState.VERIFIED, LockState.OVERRIDDEN, LockState.LOCKED_OUT)]
            ),
            Conversation.state_until.is_not(None),
            Conversation.state_until <= now,
        )
        .with_for_update(skip_locked=True)
    ).all()
    changed = []
    for row in rows:
        view = save_lock(session, row, on_expiry(to_view(session, row).lock, now=now), now=now)
        audit_view(
            session,
            view,
            action=AuditAction.CONVERSATION_EXPIRED,
            actor="system",
            now=now,
            outcome=view.state.value,
        )
        changed.append(view)
    return changed


def set_note_ref(session: Session, *, key: str, note_ref: str) -> None:
    """Remember the platform id of the sticky note after the surface posted it."""
    row = _require(session, key)
    row.note_ref = note_ref


def locked_out_accounts(session: Session, *, now: datetime) -> list[tuple[str, datetime | None]]:
    """Accounts locked out now, with when the lockout ends (None: until a supervisor unlocks)."""
    rows = session.execute(
        select(Account.account_number, Credential.locked_until, Credential.hard_locked)
        .join(Credential, Credential.account_id == Account.id)
        .where(or_(Credential.hard_locked.is_(True), Credential.locked_until > now))
        .order_by(Account.account_number)
    ).all()
    return [(number, None if hard else until) for number, until, hard in rows]


def recent_for_actor(session: Session, *, actor: str, limit: int = 10) -> list[ConversationView]:
    """The conversations an agent most recently locked, challenged or verified (App Home)."""
    return load_views(session, verified_by=actor, limit=limit)
