"""The account directory: accounts, their contacts of record, and their credentials.

Contacts are never deleted: a changed email, number or address gets ``retired_at`` and the new
value starts its own ``associated_since`` clock. Change notices need the contact *as it stood
before* the change (R24) and an address is "of record" only after 30 days on file (R10, R25).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.storage.base import Base
from bot.storage.types import BigId, UtcDateTime

__all__ = ["Account", "Credential", "EmailAddress", "PhoneNumber", "PostalAddress"]


class Account(Base):
    """A customer account as the billing system knows it."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_number: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    is_business: Mapped[bool] = mapped_column(Boolean, default=False)
    service_start: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(32), default="active")
    source: Mapped[str] = mapped_column(String(32), default="import")
    external_id: Mapped[str | None] = mapped_column(String(128), index=True)
    #: Keyed hashes only (HMAC under the pepper); never the clear value. Used by the PIN policy.
    dob_digest: Mapped[str | None] = mapped_column(String(128))
    ssn_last4_digest: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    phones: Mapped[list[PhoneNumber]] = relationship(back_populates="account")
    emails: Mapped[list[EmailAddress]] = relationship(back_populates="account")
    addresses: Mapped[list[PostalAddress]] = relationship(back_populates="account")


class PhoneNumber(Base):
    """A telephone number on an account, in E.164.

    ``kind`` is ``service`` for a telephone number of record (tied to the service, R11) or
    ``contact`` for a number the customer gave as contact information, which is never used to
    deliver CPNI or change notices.
    """

    __tablename__ = "phone_numbers"
    __table_args__ = (Index("ix_phone_numbers_e164", "e164"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    e164: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(16))
    associated_since: Mapped[datetime] = mapped_column(UtcDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    account: Mapped[Account] = relationship(back_populates="phones")


class EmailAddress(Base):
    """An email address on an account, normalised by email-validator."""

    __tablename__ = "email_addresses"
    __table_args__ = (Index("ix_email_addresses_address", "address"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    address: Mapped[str] = mapped_column(String(320))
    associated_since: Mapped[datetime] = mapped_column(UtcDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    account: Mapped[Account] = relationship(back_populates="emails")


class PostalAddress(Base):
    """A postal address on an account: ``service`` (where the line is) or ``mailing``."""

    __tablename__ = "postal_addresses"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    line1: Mapped[str] = mapped_column(String(200))
    line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2), default="US")
    associated_since: Mapped[datetime] = mapped_column(UtcDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    account: Mapped[Account] = relationship(back_populates="addresses")


class Credential(Base):
    """An account's PIN (argon2id hash + pepper key id), backup answer and attempt counters.

    Counters are changed only inside a transaction that holds this row locked, so the attempt
    limit holds exactly under concurrent guesses (R16, R26).
    """

    __tablename__ = "credentials"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    pin_hash: Mapped[str | None] = mapped_column(Text)
    pepper_key_id: Mapped[str | None] = mapped_column(String(64))
    backup_question_id: Mapped[str | None] = mapped_column(String(64))
    backup_answer_hash: Mapped[str | None] = mapped_column(Text)
    backup_pepper_key_id: Mapped[str | None] = mapped_column(String(64))
    failures_in_window: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    lockout_count: Mapped[int] = mapped_column(Integer, default=0)
    hard_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_reenrolment: Mapped[bool] = mapped_column(Boolean, default=False)
    enrolled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
