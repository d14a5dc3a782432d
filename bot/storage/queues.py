"""The durable inbox (inbound platform events) and outbox (outbound effects)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base
from bot.storage.types import BigId, UtcDateTime

__all__ = ["QUEUE_STATES", "InboxItem", "OutboxItem"]

#: pending -> processing (leased) -> done | pending (retry) | dead (after max attempts)
QUEUE_STATES = ("pending", "processing", "done", "dead")


class InboxItem(Base):
    """An inbound event, committed before it is acknowledged, unique per source event id.

    The payload is erased once the item is done: a message body is kept only as long as it is
    needed to process it.
    """

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index("ix_inbox_claim", "state", "available_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    available_at: Mapped[datetime] = mapped_column(UtcDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    processed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class OutboxItem(Base):
    """An outbound effect, committed with the state change that caused it.

    ``idempotency_key`` is unique, so enqueueing the same effect twice keeps one row and a
    retry never posts twice.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_claim", "state", "available_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    available_at: Mapped[datetime] = mapped_column(UtcDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
