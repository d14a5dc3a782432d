"""Shared pieces of the notice services: the directory's contacts and the notice audit event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.audit import AuditAction, AuditEvent
from bot.domain.notifications import Contact, ContactMedium, normalise_contact
from bot.storage.accounts import EmailAddress, PhoneNumber, PostalAddress
from bot.storage.audit_log import append
from bot.storage.notices import Notice

__all__ = ["audit_notice", "load_contacts"]


def load_contacts(session: Session, account_id: int) -> list[Contact]:
    """Every contact row of an account, retired ones included, as the rules see them."""
    contacts = [
        Contact(
            id=row.id,
            medium=ContactMedium.EMAIL,
            value=normalise_contact(ContactMedium.EMAIL, row.address),
            associated_since=row.associated_since,
            retired_at=row.retired_at,
        )
        for row in session.scalars(
            select(EmailAddress).where(EmailAddress.account_id == account_id)
        )
    ]
    contacts += [
        Contact(
            id=row.id,
            medium=ContactMedium.PHONE,
            value=row.e164,
            associated_since=row.associated_since,
            retired_at=row.retired_at,
            kind=row.kind,
        )
        for row in session.scalars(select(PhoneNumber).where(PhoneNumber.account_id == account_id))
    ]
    postal = select(PostalAddress).where(PostalAddress.account_id == account_id)
    contacts += [
        Contact(
            id=row.id,
            medium=ContactMedium.POSTAL,
            value=normalise_contact(ContactMedium.POSTAL, f"{row.line1} {row.postal_code}"),
            associated_since=row.associated_since,
            retired_at=row.retired_at,
            kind=row.kind,
        )
        for row in session.scalars(postal)
    ]
    return contacts


def audit_notice(
    session: Session,
    notice: Notice,
    *,
    action: AuditAction,
    outcome: str,
    now: datetime,
    actor: str = "system",
    error: str | None = None,
) -> None:
    """Append the audit event for a notice's send, failure or skip (R31).

    It carries the channel, the reason, the "sent to prior contact" flag and the destination's
    type and row id; never the address, the changed value or the message.
    """
    details: dict[str, Any] = {
        "notice_id": notice.id,
        "change_kind": notice.kind,
        "change_action": notice.action,
        "source": notice.source,
        "event_id": notice.event_id,
        "channel": notice.channel,
        "reason": notice.reason,
        "sent_to_prior_contact": notice.sent_to_prior_contact,
        "destination_type": notice.destination_type,
        "destination_id": notice.destination_id,
        "delivery": notice.delivery_seq,
        "change_occurred_at": notice.occurred_at.isoformat(),
    }
    if error:
        details["error"] = error
    append(
        session,
        AuditEvent(
            occurred_at=now,
            actor=actor,
            action=action,
            surface="notify",
            account_number=notice.account_number,
            method=notice.channel,
            outcome=outcome,
            categories=("account_change",),
            details=details,
        ),
    )
