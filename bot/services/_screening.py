"""Screening a thread: detect CPNI over the whole conversation and lock it when needed."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy.orm import Session

from bot.domain.audit import AuditAction
from bot.domain.detection import DetectionPolicy, Detector, build_detector, decide_thread
from bot.domain.detection import Message as DetectorMessage
from bot.domain.detection import Role as DetectorRole
from bot.domain.lock import on_expiry, on_sensitive
from bot.domain.pin_exposure import account_number_candidates, looks_like_pin_in_clear
from bot.services._conversation_store import (
    ConversationView,
    audit_view,
    find_accounts,
    load_row,
    save_lock,
    to_view,
)

__all__ = ["Message", "ScreenOutcome", "default_detector", "screen"]


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
    detector: Detector,
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
        detector: the detector compiled from the configured policy (``container.detector``);
            required, so no surface can silently screen with the default policy.

    Returns:
        The outcome, with the updated view.
    """
    decision = decide_thread(
        [DetectorMessage(m.text, _role(m.author_role), m.channel) for m in messages],
        detector=detector,
    )
    hint = _account_hint(session, messages)
    row = load_row(session, key=key, surface=surface, now=now, create=True)
    assert row is not None
    before = to_view(session, row)
    account = account_number or before.account_number or hint
    current = on_expiry(before.lock, now=now)
    if decision.requires_pin:
        current = on_sensitive(current, account_number=account, now=now)
    # The stored categories and reasons explain the PIN gate (they are what the note shows), so
    # a thread the policy lets through unchallenged records none and gets no note.
    if decision.requires_pin:
        categories = tuple(sorted({*before.categories, *(c.value for c in decision.categories)}))
        reasons = tuple(decision.reasons())
    else:
        categories, reasons = before.categories, before.reasons
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
        audit_view(
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
        audit_view(
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
