"""Account-change notices: record a change, decide its notice, queue it; list, show, resend.

:func:`record_change` is called inside the transaction that makes the change (the PIN vault,
the account-events API, the CLI, the Sonar connector), so the notice is committed with the
change or not at all (R20). It applies :mod:`bot.domain.notifications`, stores a
:class:`~bot.storage.notices.Notice` and queues one outbox effect (``notify.email`` or
``notify.sms``) keyed by the notice and its delivery number, so each change event is delivered
once. Skips and hand-overs to staff are audited here; sends and failures by
:mod:`bot.services.notice_delivery`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.domain.audit import AuditAction
from bot.domain.notifications import (
    AccountChange,
    ChangeAction,
    ChangeKind,
    Channel,
    NoticePlan,
    NoticeReason,
    NoticeState,
    matches_new_value,
    plan_notice,
)
from bot.policy import Policy
from bot.services.notice_support import audit_notice, load_contacts
from bot.storage.accounts import Account
from bot.storage.notices import Notice
from bot.worker import enqueue_effect

__all__ = [
    "ALL_CHANNELS",
    "NoticeDecision",
    "channels_from_settings",
    "record_change",
    "resend_notice",
]

#: The automatic channels assumed when a caller does not say which are configured.
ALL_CHANNELS = frozenset({Channel.EMAIL, Channel.SMS})


@dataclass(frozen=True, slots=True)
class NoticeDecision:
    """What became of a change's notice.

    Attributes:
        notice_id: the stored notice.
        state: ``queued``, ``skipped``, ``pending_staff`` (or a later state for a duplicate).
        channel: the channel chosen, if any.
        reason: why it was skipped or handed to staff.
        sent_to_prior_contact: the destination is a contact of record from before the change.
        duplicate: the event was recorded before; nothing new was stored or queued.
    """

    notice_id: int
    state: NoticeState
    channel: Channel | None
    reason: NoticeReason | None
    sent_to_prior_contact: bool
    duplicate: bool = False


def channels_from_settings(settings: Any) -> frozenset[Channel]:
    """The automatic channels the settings configure: email with SMTP, SMS with Twilio."""
    found = set()
    if getattr(settings, "smtp_host", None):
        found.add(Channel.EMAIL)
    if getattr(settings, "twilio_account_sid", None) and getattr(settings, "twilio_from", None):
        found.add(Channel.SMS)
    return frozenset(found)


def _to_decision(notice: Notice, *, duplicate: bool) -> NoticeDecision:
    return NoticeDecision(
        notice_id=notice.id,
        state=NoticeState(notice.state),
        channel=Channel(notice.channel) if notice.channel else None,
        reason=NoticeReason(notice.reason) if notice.reason else None,
        sent_to_prior_contact=notice.sent_to_prior_contact,
        duplicate=duplicate,
    )


def _plan_for(
    session: Session,
    change: AccountChange,
    account: Account | None,
    *,
    policy: Policy,
    channels: frozenset[Channel],
    excluded: Sequence[int] = (),
    suppress: bool = True,
) -> tuple[NoticePlan, list[int]]:
    if account is None and not change.activation_flow:
        return NoticePlan(NoticeState.PENDING_STAFF, reason=NoticeReason.UNKNOWN_ACCOUNT), []
    contacts = load_contacts(session, account.id) if account is not None else []
    matching = [c.id for c in contacts if matches_new_value(c, change) or c.id in excluded]
    usable = [c for c in contacts if c.id not in matching]
    plan = plan_notice(
        change,
        contacts=usable,
        service_start=account.service_start if account is not None and suppress else None,
        policy=policy.notices,
        channels=channels,
    )
    return plan, matching


def _apply_plan(notice: Notice, plan: NoticePlan) -> None:
    notice.state = plan.state
    notice.reason = plan.reason
    notice.channel = plan.channel
    destination = plan.destination
    notice.destination_type = destination.medium if destination else None
    notice.destination_id = destination.id if destination else None
    notice.sent_to_prior_contact = plan.sent_to_prior_contact


def _follow_up(session: Session, notice: Notice, *, now: datetime, actor: str) -> None:
    """Queue the delivery, or audit the skip or the hand-over to staff."""
    if notice.state == NoticeState.QUEUED:
        enqueue_effect(
            session,
            key=f"notice:{notice.id}:{notice.delivery_seq}",
            kind=f"notify.{notice.channel}",
            payload={"notice_id": notice.id, "seq": notice.delivery_seq},
            now=now,
        )
    elif notice.state == NoticeState.SKIPPED:
        audit_notice(
            session,
            notice,
            action=AuditAction.NOTICE_SKIPPED,
            outcome="skipped",
            now=now,
            actor=actor,
        )
    elif notice.state == NoticeState.PENDING_STAFF:
        audit_notice(
            session,
            notice,
            action=AuditAction.NOTICE_FAILED,
            outcome="pending_staff",
            now=now,
            actor=actor,
        )


def record_change(
    session: Session,
    change: AccountChange,
    *,
    policy: Policy,
    now: datetime,
    channels: frozenset[Channel] = ALL_CHANNELS,
) -> NoticeDecision:
    """Record an account change and decide, store and queue its notice (R20-R25).

    Call it inside the transaction that makes the change; it neither commits nor rolls back.
    A second call for the same ``(change.source, change.event_id)`` stores and queues nothing
    and returns the first decision with ``duplicate=True``.

    Args:
        session: the caller's session, in its transaction.
        change: the change event.
        policy: the tuning policy (its ``notices`` section).
        now: the current time (when the notice is queued).
        channels: the configured automatic channels (see :func:`channels_from_settings`).

    Returns:
        The decision: queued on a channel, skipped with the reason, or pending for staff.
    """
    existing = _find(session, change.source, change.event_id)
    if existing is not None:
        return _to_decision(existing, duplicate=True)
    account = session.scalars(
        select(Account).where(Account.account_number == change.account_number)
    ).one_or_none()
    plan, excluded = _plan_for(session, change, account, policy=policy, channels=channels)
    notice = Notice(
        source=change.source,
        event_id=change.event_id,
        account_number=change.account_number,
        account_id=account.id if account is not None else None,
        kind=change.kind,
        action=change.action,
        actor=change.actor,
        activation_flow=change.activation_flow,
        locale=change.locale,
        occurred_at=change.occurred_at,
        excluded_contact_ids=",".join(map(str, excluded)) or None,
        delivery_seq=1,
        created_at=now,
        updated_at=now,
    )
    _apply_plan(notice, plan)
    try:
        with session.begin_nested():
            session.add(notice)
    except IntegrityError:  # the same event recorded concurrently: theirs stands
        existing = _find(session, change.source, change.event_id)
        assert existing is not None
        return _to_decision(existing, duplicate=True)
    _follow_up(session, notice, now=now, actor=change.actor)
    return _to_decision(notice, duplicate=False)


def _find(session: Session, source: str, event_id: str) -> Notice | None:
    query = select(Notice).where(Notice.source == source, Notice.event_id == event_id)
    return session.scalars(query).one_or_none()


def resend_notice(
    session: Session,
    notice_id: int,
    *,
    policy: Policy,
    now: datetime,
    actor: str,
    channels: frozenset[Channel] = ALL_CHANNELS,
) -> NoticeDecision | None:
    """Deliver a notice again (after a failure, a skip, or to reach a fixed directory).

    The destination is chosen afresh by the same rules, as of the original change (never a
    contact added since, never the new value), and a new delivery is queued under a new key.
    A notice still queued is left alone, so nothing goes out twice.

    Returns:
        The new decision (``duplicate=True`` if it was still queued), or None if no such notice.
    """
    notice = session.get(Notice, notice_id, with_for_update=True)
    if notice is None:
        return None
    if notice.state == NoticeState.QUEUED:
        return _to_decision(notice, duplicate=True)
    change = AccountChange(
        kind=ChangeKind(notice.kind),
        account_number=notice.account_number,
        occurred_at=notice.occurred_at,
        source=notice.source,
        event_id=notice.event_id,
        actor=actor,
        action=ChangeAction(notice.action),
    )
    account = session.get(Account, notice.account_id) if notice.account_id else None
    excluded = [int(i) for i in (notice.excluded_contact_ids or "").split(",") if i]
    # A resend is an operator's decision: service initiation no longer suppresses it.
    plan, _ = _plan_for(
        session,
        change,
        account,
        policy=policy,
        channels=channels,
        excluded=excluded,
        suppress=False,
    )
    notice.delivery_seq += 1
    notice.last_error = None
    notice.updated_at = now
    _apply_plan(notice, plan)
    _follow_up(session, notice, now=now, actor=actor)
    return _to_decision(notice, duplicate=False)
