"""Compliance tables: possible-breach incidents and the audit log's purge anchors."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base
from bot.storage.types import BigId, UtcDateTime

__all__ = ["AuditAnchor", "IncidentRow"]


class IncidentRow(Base):
    """A possible-breach incident (R26-R28) and, once determined, its breach record (R32).

    ``history`` lists every state change and note as ``{"at", "actor", "from", "to", "note"}``;
    notes are the compliance officer's words, never a customer's message. ``evidence`` lists
    the ids of the audit events that opened or joined the incident.
    """

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(24), index=True)
    subject: Mapped[str] = mapped_column(String(300), index=True)
    account_number: Mapped[str | None] = mapped_column(String(64), index=True)
    conversation_key: Mapped[str | None] = mapped_column(String(255))
    summary: Mapped[str] = mapped_column(String(500))
    evidence: Mapped[list[int]] = mapped_column(JSON, default=list)
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    rule: Mapped[str] = mapped_column(String(8))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    determined_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    agency_notified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    agency_delay_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    customer_notified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    override_reason: Mapped[str | None] = mapped_column(Text)
    customers_affected: Mapped[int | None] = mapped_column(Integer)
    harm_likely: Mapped[bool | None] = mapped_column(Boolean)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    retain_until: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AuditAnchor(Base):
    """What a retention purge removed from the head of the audit chain (R31).

    The oldest remaining event's ``prev_hash`` must equal the newest anchor's ``last_hash``,
    and the ``audit_purged`` event appended by the purge repeats that hash, so a forged anchor
    does not verify. Rows are never updated or deleted.
    """

    __tablename__ = "audit_anchors"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(128))
    purged_before: Mapped[datetime] = mapped_column(UtcDateTime)
    first_event_id: Mapped[int] = mapped_column(BigId)
    last_event_id: Mapped[int] = mapped_column(BigId, unique=True)
    last_hash: Mapped[str] = mapped_column(String(64))
    purged_count: Mapped[int] = mapped_column(BigId)
