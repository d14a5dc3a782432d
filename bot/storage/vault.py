"""Tables of the PIN vault: one-time reset codes and the failed-attempt trail for R26.

Neither table ever holds a PIN or a code in clear: a reset code is stored as an argon2id hash
under the pepper (like a PIN), and a failure row holds who and where, never what was typed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base
from bot.storage.types import BigId, UtcDateTime

__all__ = ["PinFailure", "PinResetCode"]


class PinResetCode(Base):
    """A one-time code sent to a contact of record so the customer can set a new PIN (R14).

    ``state`` is ``open`` until the code is ``used``, ``superseded`` by a newer code, or
    ``exhausted`` by too many wrong entries; an open code past ``expires_at`` is dead too.
    """

    __tablename__ = "pin_reset_codes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    #: argon2id over the peppered code, exactly like a PIN; never the code itself.
    code_hash: Mapped[str] = mapped_column(Text)
    pepper_key_id: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="open")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class PinFailure(Base):
    """One failed PIN attempt, kept for the cross-account pretexting signal (R26)."""

    __tablename__ = "pin_failures"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    account_number: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str | None] = mapped_column(String(128), index=True)
    source: Mapped[str | None] = mapped_column(String(128), index=True)
