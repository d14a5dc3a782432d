"""Account-change notices (R20-R25): one row per change event, whatever became of it.

A notice keeps what the change was (kind, when, which account, who reported it) and where the
notice went, as a reference to a contact row (``destination_type`` + ``destination_id``), never
the changed value and never a copy of the address. ``(source, event_id)`` is unique, so a
redelivered event creates no second notice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base
from bot.storage.types import BigId, UtcDateTime

__all__ = ["Notice"]


class Notice(Base):
    """The notice for one account change event.

    ``delivery_seq`` counts deliveries: an outbox effect carries the sequence it was queued
    for, so an effect superseded by a resend, or already delivered, sends nothing.
    """

    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("source", "event_id"),
        Index("ix_notices_state_created", "state", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(128))
    account_number: Mapped[str] = mapped_column(String(64), index=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(128))
    activation_flow: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str] = mapped_column(String(16), default="en")
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str | None] = mapped_column(String(16))
    destination_type: Mapped[str | None] = mapped_column(String(16))
    destination_id: Mapped[int | None] = mapped_column(BigId)
    #: Contact rows that matched the change's new value: never a destination, even on resend.
    excluded_contact_ids: Mapped[str | None] = mapped_column(String(255))
    sent_to_prior_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    delivery_seq: Mapped[int] = mapped_column(Integer, default=1)
    provider_ref: Mapped[str | None] = mapped_column(String(255))
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
