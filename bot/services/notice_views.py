"""Reading notices for operators: list, pending (waiting for staff or failed), show one.

Destinations are shown masked (``j***@example.com``, ``***0123``, a city and postal code):
enough for staff to recognise a contact, without copying a customer's details into a terminal
log. The changed value was never stored, so it cannot be shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.notifications import ContactMedium, NoticeState
from bot.storage.accounts import EmailAddress, PhoneNumber, PostalAddress
from bot.storage.notices import Notice

__all__ = ["PENDING_STATES", "NoticeView", "get_notice", "list_notices", "pending_notices"]

#: States that need a person: no usable contact (a letter to print) or a failed delivery.
PENDING_STATES = (NoticeState.PENDING_STAFF, NoticeState.FAILED)


@dataclass(frozen=True, slots=True)
class NoticeView:
    """A notice as operators see it."""

    id: int
    source: str
    event_id: str
    account_number: str
    kind: str
    action: str
    occurred_at: datetime
    state: str
    reason: str | None
    channel: str | None
    destination: str | None
    sent_to_prior_contact: bool
    deliveries: int
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None


def _mask(session: Session, notice: Notice) -> str | None:
    if notice.destination_id is None or notice.destination_type is None:
        return None
    medium = ContactMedium(notice.destination_type)
    if medium is ContactMedium.EMAIL:
        email = session.get(EmailAddress, notice.destination_id)
        if email is None:
            return "email (removed)"
        local, _, domain = email.address.partition("@")
        return f"email {local[:1]}***@{domain}"
    if medium is ContactMedium.PHONE:
        phone = session.get(PhoneNumber, notice.destination_id)
        return f"phone ***{phone.e164[-4:]}" if phone else "phone (removed)"
    postal = session.get(PostalAddress, notice.destination_id)
    return f"postal {postal.city} {postal.postal_code}" if postal else "postal (removed)"


def _view(session: Session, notice: Notice) -> NoticeView:
    return NoticeView(
        id=notice.id,
        source=notice.source,
        event_id=notice.event_id,
        account_number=notice.account_number,
        kind=notice.kind,
        action=notice.action,
        occurred_at=notice.occurred_at,
        state=notice.state,
        reason=notice.reason,
        channel=notice.channel,
        destination=_mask(session, notice),
        sent_to_prior_contact=notice.sent_to_prior_contact,
        deliveries=notice.delivery_seq,
        created_at=notice.created_at,
        sent_at=notice.sent_at,
        last_error=notice.last_error,
    )


def list_notices(
    session: Session,
    *,
    states: tuple[str, ...] = (),
    account_number: str | None = None,
    limit: int = 50,
) -> list[NoticeView]:
    """The newest notices first, optionally only in ``states`` or for one account."""
    query = select(Notice).order_by(Notice.id.desc()).limit(limit)
    if states:
        query = query.where(Notice.state.in_(states))
    if account_number:
        query = query.where(Notice.account_number == account_number)
    return [_view(session, n) for n in session.scalars(query)]


def pending_notices(session: Session, *, limit: int = 200) -> list[NoticeView]:
    """Notices that need staff: letters to print, unknown accounts, failed deliveries."""
    return list_notices(session, states=tuple(PENDING_STATES), limit=limit)


def get_notice(session: Session, notice_id: int) -> NoticeView | None:
    """One notice, or None."""
    notice = session.get(Notice, notice_id)
    return _view(session, notice) if notice is not None else None
