"""Conversations and their locks: screening threads, linking accounts, challenges, overrides.

Surfaces (Slack, Zendesk, the verify page) never decide lock state themselves: they call these
use cases and turn the results into platform effects. Every visible change bumps the
conversation's ``version``, writes an audit event and enqueues the outbox effect
``"{surface}.sync_note"`` (idempotency key ``"{key}:sync:{version}"``), so the sticky note is
rewritten wherever the conversation lives, whoever changed it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.domain.audit import AuditAction, AuditEvent
from bot.domain.detection import DetectionPolicy, Detector, build_detector, decide_thread
from bot.domain.detection import Message as DetectorMessage
from bot.domain.detection import Role as DetectorRole
from bot.domain.lock import (
    Lock,
    LockState,
    on_challenge,
    on_expiry,
    on_manual_lock,
    on_override,
    on_sensitive,
)
from bot.domain.pin_exposure import account_number_candidates, looks_like_pin_in_clear
from bot.services._conversation_store import (
    ConversationView,
    find_accounts,
    load_row,
    load_views,
    save_lock,
    to_view,
)
from bot.storage.accounts import Account, Credential
from bot.storage.audit_log import append
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


@dataclass(frozen=True, slots=True, kw_only=True)
class Message:
    """One message of a thread, as a surface hands it over. The text is never stored."""

    message_id: str
    text: str
    author_role: str
    author_id: str | None = None
    channel: str = "chat"


@dataclass(frozen=True, slots=True)
class ScreenOutcome:
    """What screening a thread did."""

    view: ConversationView
    newly_locked: bool
    changed: bool
    disclosed_while_locked: tuple[str, ...]
    pin_in_clear: tuple[str, ...]
    account_hint: str | None


@lru_cache(maxsize=4)
def default_detector(policy: DetectionPolicy | None = None) -> Detector:
    """The detector for ``policy`` (default policy if None), compiled once per process."""
    return build_detector(policy or DetectionPolicy())


def _role(role: str) -> DetectorRole:
    try:
        return DetectorRole(role)
    except ValueError:
        return DetectorRole.CUSTOMER


def _account_hint(session: Session, messages: Sequence[Message]) -> str | None:
    candidates: list[str] = []
    for message in messages:
        candidates.extend(account_number_candidates(message.text))
    found = find_accounts(session, candidates[:256])
    return found[0] if len(found) == 1 else None


def _audit(
    session: Session,
    view: ConversationView,
    *,
    action: AuditAction,
    actor: str,
    now: datetime,
    **fields: object,
) -> None:
    append(
        session,
        AuditEvent(
            occurred_at=now,
            actor=actor,
            action=action,
            surface=view.surface,
            conversation_key=view.key,
            account_number=view.account_number,
            categories=view.categories,
            **fields,  # type: ignore[arg-type]
        ),
    )


def screen(
    session: Session,
    *,
    key: str,
    surface: str,
    messages: Sequence[Message],
    new_message_ids: Collection[str] | None = None,
    account_number: str | None = None,
    actor: str = "system",
    now: datetime,
    detector: Detector | None = None,
) -> ScreenOutcome:
    """Detect CPNI over the whole thread and lock it when it is sensitive and unverified.

    Args:
        session: the caller's transaction.
        key: the conversation key (``slack:T/C/ts``, ``zendesk:sub/123``).
        surface: ``slack`` or ``zendesk``.
        messages: the thread in order; texts are scanned, never stored or logged.
        new_message_ids: the messages that are new (checked for disclosure while locked and
            PINs typed in the clear); None means all.
        account_number: the account the surface already knows, if any.
        actor: who triggered the screening (for the audit).
        now: the current time.
        detector: the compiled detector (the default policy's if None).

    Returns:
        The outcome, with the updated view.
    """
    decision = decide_thread(
        [DetectorMessage(m.text, _role(m.author_role), m.channel) for m in messages],
        detector=detector or default_detector(),
    )
    hint = _account_hint(session, messages)
    row = load_row(session, key=key, surface=surface, now=now, create=True)
    assert row is not None
    before = to_view(session, row)
    account = account_number or before.account_number or hint
    current = on_expiry(before.lock, now=now)
    if decision.requires_pin:
        current = on_sensitive(current, account_number=account, now=now)
    categories = tuple(sorted({*before.categories, *(c.value for c in decision.categories)}))
    reasons = tuple(decision.reasons()) if decision.sensitive else before.reasons
    view = save_lock(
        session,
        row,
        current,
        account_number=account,
        categories=categories,
        reasons=reasons,
        now=now,
    )
    newly_locked = view.is_locked and not before.is_locked
    if newly_locked:
        _audit(
            session,
            view,
            action=AuditAction.CONVERSATION_LOCKED,
            actor=actor,
            now=now,
            outcome=view.state.value,
            details={
                "signals": [s.value for s in decision.signals],
                "findings": len(decision.findings),
                "messages": decision.message_count,
            },
        )
    fresh = {
        i
        for i, m in enumerate(messages)
        if new_message_ids is None or m.message_id in new_message_ids
    }
    disclosed = tuple(
        dict.fromkeys(
            messages[f.index].message_id
            for f in decision.findings
            if f.index in fresh
            and f.role is DetectorRole.AGENT
            and f.finding.disclosure
            and view.is_locked
        )
    )
    for message_id in disclosed:
        author = next((m.author_id for m in messages if m.message_id == message_id), None)
        _audit(
            session,
            view,
            action=AuditAction.DISCLOSED_WHILE_LOCKED,
            actor=author or "unknown",
            now=now,
            outcome="possible_violation",
            details={"message_ref": message_id},
        )
    in_clear = tuple(
        messages[i].message_id for i in sorted(fresh) if looks_like_pin_in_clear(messages[i].text)
    )
    return ScreenOutcome(
        view=view,
        newly_locked=newly_locked,
        changed=view.version != before.version,
        disclosed_while_locked=disclosed,
        pin_in_clear=in_clear,
        account_hint=hint,
    )


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
    _audit(
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
    _audit(
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
    _audit(
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
    _audit(
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
        _audit(
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
