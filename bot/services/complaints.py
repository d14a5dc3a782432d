"""Evidence for the annual certification that other parts record: complaints, data-broker actions.

The Zendesk adapter calls :func:`record_complaint` when a ticket is tagged
``cpni_complaint_employee_access``, ``cpni_complaint_disclosure`` or
``cpni_complaint_online_access`` (R33); Legal records proceedings against data brokers with
:func:`record_data_broker_action` (R34). Both become audit events the certification report
counts, so the evidence is as tamper-evident as the rest of the log.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.audit import COMPLAINT_CATEGORIES, AuditAction, AuditEvent
from bot.storage.audit_log import append
from bot.storage.records import AuditEventRow

__all__ = [
    "COMPLAINT_TAG_PREFIX",
    "category_from_tag",
    "record_complaint",
    "record_data_broker_action",
]

#: Zendesk tags ``cpni_complaint_<category>`` mark complaint tickets (R33).
COMPLAINT_TAG_PREFIX = "cpni_complaint_"


def category_from_tag(tag: str) -> str | None:
    """The complaint category a Zendesk tag names, or None for any other tag."""
    if not tag.startswith(COMPLAINT_TAG_PREFIX):
        return None
    category = tag.removeprefix(COMPLAINT_TAG_PREFIX)
    return category if category in COMPLAINT_CATEGORIES else None


def record_complaint(
    session: Session,
    *,
    category: str,
    ticket_ref: str,
    now: datetime,
    actor: str = "system:zendesk",
) -> bool:
    """Record one customer complaint about unauthorised CPNI release (R33).

    Args:
        session: the caller's transaction.
        category: ``employee_access``, ``disclosure`` or ``online_access`` (or the full
            ``cpni_complaint_*`` tag).
        ticket_ref: the conversation key of the ticket (``zendesk:sub/123``).
        now: when the complaint was recorded.
        actor: who recorded it.

    Returns:
        True if recorded; False if this ticket's complaint of this category already was
        (a ticket re-tagged or updated is counted once).

    Raises:
        ValueError: an unknown category (nothing recorded).
    """
    category = category_from_tag(category) or category
    if category not in COMPLAINT_CATEGORIES:
        known = ", ".join(sorted(COMPLAINT_CATEGORIES))
        raise ValueError(f"unknown complaint category {category!r}; use one of {known}")
    seen = session.scalars(
        select(AuditEventRow.details).where(
            AuditEventRow.action == AuditAction.COMPLAINT_RECORDED.value,
            AuditEventRow.conversation_key == ticket_ref,
        )
    )
    if any(details.get("category") == category for details in seen):
        return False
    append(
        session,
        AuditEvent(
            occurred_at=now,
            actor=actor,
            action=AuditAction.COMPLAINT_RECORDED,
            surface=ticket_ref.split(":", 1)[0] if ":" in ticket_ref else None,
            conversation_key=ticket_ref,
            details={"category": category},
        ),
    )
    return True


def record_data_broker_action(
    session: Session, *, forum: str, summary: str, actor: str, now: datetime
) -> None:
    """Record a proceeding or petition against a data broker (R34, entered by Legal).

    Args:
        session: the caller's transaction.
        forum: where: a state commission, a court, or the FCC.
        summary: what was filed, against whom (no customer data).
        actor: who entered it.
        now: when.
    """
    if not forum.strip() or not summary.strip():
        raise ValueError("a data-broker action needs a forum and a summary")
    append(
        session,
        AuditEvent(
            occurred_at=now,
            actor=actor,
            action=AuditAction.DATA_BROKER_ACTION,
            details={"forum": forum.strip(), "summary": summary.strip()},
        ),
    )
