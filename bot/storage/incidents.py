"""Queries over incidents (and the audit events their rules count)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.domain.audit import AuditAction
from bot.storage.compliance import IncidentRow
from bot.storage.records import AuditEventRow

__all__ = [
    "active_incident",
    "earliest_retained_evidence",
    "get_incident",
    "list_incidents",
    "prior_lockouts",
]

_ACTIVE = ("open", "under_review", "breach_determined")


def get_incident(session: Session, incident_id: int, *, lock: bool = False) -> IncidentRow | None:
    """One incident by id; ``lock`` takes a row lock for an update (PostgreSQL)."""
    stmt = select(IncidentRow).where(IncidentRow.id == incident_id)
    return session.scalars(stmt.with_for_update() if lock else stmt).first()


def active_incident(session: Session, *, kind: str, subject: str) -> IncidentRow | None:
    """The not-yet-closed incident of ``kind`` about ``subject``, if any (repeats join it)."""
    return session.scalars(
        select(IncidentRow)
        .where(
            IncidentRow.kind == kind,
            IncidentRow.subject == subject,
            IncidentRow.state.in_(_ACTIVE),
        )
        .order_by(IncidentRow.id)
        .limit(1)
        .with_for_update()
    ).first()


def list_incidents(
    session: Session, *, states: Sequence[str] | None = None, since: datetime | None = None
) -> list[IncidentRow]:
    """Incidents, newest first, optionally only in ``states`` or opened at/after ``since``."""
    stmt = select(IncidentRow).order_by(IncidentRow.id.desc())
    if states:
        stmt = stmt.where(IncidentRow.state.in_(list(states)))
    if since is not None:
        stmt = stmt.where(IncidentRow.opened_at >= since)
    return list(session.scalars(stmt))


def prior_lockouts(
    session: Session, *, account_number: str, since: datetime, before_id: int
) -> int:
    """Lockouts of ``account_number`` logged at/after ``since`` and before event ``before_id``."""
    return int(
        session.scalar(
            select(func.count(AuditEventRow.id)).where(
                AuditEventRow.action == AuditAction.PIN_LOCKOUT.value,
                AuditEventRow.account_number == account_number,
                AuditEventRow.occurred_at >= since,
                AuditEventRow.id < before_id,
            )
        )
        or 0
    )


def earliest_retained_evidence(session: Session, *, now: datetime) -> int | None:
    """The smallest audit event id that an incident still inside its retention holds (R32).

    Those events are the incident's evidence, so a purge must stop before them.
    """
    lists = session.scalars(
        select(IncidentRow.evidence).where(
            or_(IncidentRow.retain_until.is_(None), IncidentRow.retain_until > now)
        )
    )
    ids = [event_id for evidence in lists for event_id in evidence]
    return min(ids) if ids else None
