"""Delivering notices: what a channel adapter needs before and after it sends, and letters.

An outbox effect names a notice and a delivery number. :func:`claim_delivery` turns it into a
:class:`DeliveryJob` (the notice's facts and the destination's address) only while that
delivery is still due: a notice already sent, or superseded by a resend, yields nothing, so a
retried effect never sends twice. After the send the adapter calls :func:`record_sent`, or
:func:`record_failure`; both audit the attempt (R31). Letters for a print vendor are exported
by :func:`export_letters`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.audit import AuditAction
from bot.domain.notice_text import NoticeFacts
from bot.domain.notifications import (
    ChangeAction,
    ChangeKind,
    Channel,
    ContactMedium,
    NoticeReason,
    NoticeState,
)
from bot.services.notice_support import audit_notice
from bot.storage.accounts import Account, EmailAddress, PhoneNumber, PostalAddress
from bot.storage.notices import Notice

__all__ = [
    "LETTER_COLUMNS",
    "DeliveryJob",
    "claim_delivery",
    "export_letters",
    "hand_to_staff",
    "record_failure",
    "record_sent",
]

#: The columns of the letter CSV, in order (docs/notifications.md describes each).
LETTER_COLUMNS = (
    "notice_id",
    "account_number",
    "recipient_name",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
    "change_kind",
    "change_action",
    "change_occurred_at",
    "locale",
)


@dataclass(frozen=True, slots=True)
class DeliveryJob:
    """One delivery of one notice, as a channel adapter needs it.

    Attributes:
        notice_id: the notice.
        seq: which delivery of it (1, then 2... after resends).
        channel: email or SMS.
        address: the destination (email address or E.164 number) of record.
        facts: what the notice may say (no changed value; R23).
    """

    notice_id: int
    seq: int
    channel: Channel
    address: str
    facts: NoticeFacts

    @property
    def key(self) -> str:
        """A stable id for this delivery (email Message-ID, logs)."""
        return f"notice-{self.notice_id}-{self.seq}"


def _address(session: Session, notice: Notice) -> str | None:
    if notice.destination_id is None:
        return None
    if notice.destination_type == ContactMedium.EMAIL:
        email = session.get(EmailAddress, notice.destination_id)
        return email.address if email else None
    if notice.destination_type == ContactMedium.PHONE:
        phone = session.get(PhoneNumber, notice.destination_id)
        return phone.e164 if phone else None
    return None


def claim_delivery(
    session: Session, *, notice_id: int, seq: int, channel: Channel
) -> tuple[DeliveryJob | None, str]:
    """The job for delivery ``seq`` of a notice on ``channel``, if it is still due.

    Returns:
        ``(job, "due")``, or ``(None, why)`` with why the delivery is not due: ``unknown``,
        ``superseded`` (a resend replaced it), ``not_queued`` (already sent, skipped or handed
        to staff), ``wrong_channel`` or ``destination_gone``. A ``failed`` delivery is due
        again, so an operator's replay of its dead-lettered effect can send it.
    """
    notice = session.get(Notice, notice_id, with_for_update=True)
    if notice is None:
        return None, "unknown"
    if notice.delivery_seq != seq:
        return None, "superseded"
    if notice.state not in (NoticeState.QUEUED, NoticeState.FAILED):  # failed: a replay
        return None, "not_queued"
    if notice.channel != channel:
        return None, "wrong_channel"
    address = _address(session, notice)
    if address is None:
        return None, "destination_gone"
    facts = NoticeFacts(
        kind=ChangeKind(notice.kind),
        action=ChangeAction(notice.action),
        occurred_at=notice.occurred_at,
        account_number=notice.account_number,
        locale=notice.locale,
    )
    return DeliveryJob(notice.id, seq, channel, address, facts), "due"


def _locked(session: Session, job: DeliveryJob) -> Notice | None:
    notice = session.get(Notice, job.notice_id, with_for_update=True)
    return notice if notice is not None and notice.delivery_seq == job.seq else None


def record_sent(session: Session, job: DeliveryJob, *, provider_ref: str, now: datetime) -> None:
    """Mark the delivery sent and audit it (``notice_sent``: channel, prior-contact flag)."""
    notice = _locked(session, job)
    if notice is None:
        return
    notice.state = NoticeState.SENT
    notice.provider_ref = provider_ref[:255]
    notice.sent_at = now
    notice.updated_at = now
    notice.last_error = None
    audit_notice(session, notice, action=AuditAction.NOTICE_SENT, outcome="sent", now=now)


def record_failure(
    session: Session, job: DeliveryJob, *, error: str, final: bool, now: datetime
) -> None:
    """Audit a failed attempt; a final one (permanent, or out of retries) fails the notice.

    Args:
        session: a session in its transaction.
        job: the delivery that failed.
        error: a short reason with no address, secret or message text.
        final: no retry will follow; the notice becomes ``failed`` and shows as pending.
        now: the current time.
    """
    notice = _locked(session, job)
    if notice is None:
        return
    notice.last_error = error[:500]
    notice.updated_at = now
    if final:
        notice.state = NoticeState.FAILED
    audit_notice(
        session,
        notice,
        action=AuditAction.NOTICE_FAILED,
        outcome="failed" if final else "retrying",
        now=now,
        error=error,
    )


def hand_to_staff(
    session: Session, *, notice_id: int, seq: int, reason: NoticeReason, now: datetime
) -> None:
    """Give a queued delivery to staff (its channel is not configured, its contact is gone)."""
    notice = session.get(Notice, notice_id, with_for_update=True)
    if notice is None or notice.delivery_seq != seq or notice.state != NoticeState.QUEUED:
        return
    notice.state = NoticeState.PENDING_STAFF
    notice.reason = reason
    notice.updated_at = now
    audit_notice(
        session, notice, action=AuditAction.NOTICE_FAILED, outcome="pending_staff", now=now
    )


def _cell(value: str | None) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (CSV injection)."""
    text = value or ""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_letters(
    session: Session, out: TextIO, *, now: datetime, actor: str, mark_sent: bool
) -> int:
    """Write the letters waiting for staff as CSV for a print vendor (R22: mail to the address).

    Each row is a notice handed to staff whose destination is a postal address of record: the
    recipient, the address, and what changed and when (never the changed value). With
    ``mark_sent`` each exported notice becomes ``sent`` on the ``letter`` channel and is audited.

    Returns:
        How many letters were written.
    """
    rows = session.execute(
        select(Notice, PostalAddress, Account)
        .join(PostalAddress, PostalAddress.id == Notice.destination_id)
        .join(Account, Account.id == PostalAddress.account_id)
        .where(
            Notice.state == NoticeState.PENDING_STAFF,
            Notice.channel == Channel.LETTER,
            Notice.destination_type == ContactMedium.POSTAL,
        )
        .order_by(Notice.id)
        .with_for_update(of=Notice)
    ).all()
    writer = csv.writer(out)
    writer.writerow(LETTER_COLUMNS)
    for notice, address, account in rows:
        writer.writerow(
            [
                notice.id,
                _cell(notice.account_number),
                _cell(account.name),
                _cell(address.line1),
                _cell(address.line2),
                _cell(address.city),
                _cell(address.region),
                _cell(address.postal_code),
                address.country,
                notice.kind,
                notice.action,
                notice.occurred_at.isoformat(),
                notice.locale,
            ]
        )
        if mark_sent:
            notice.state = NoticeState.SENT
            notice.sent_at = now
            notice.updated_at = now
            audit_notice(
                session,
                notice,
                action=AuditAction.NOTICE_SENT,
                outcome="sent",
                now=now,
                actor=actor,
            )
    return len(rows)
