"""Tables of the Slack surface: OAuth installations and states, and message receipts.

``slack_installations``, ``slack_bots`` and ``slack_oauth_states`` mirror, column for column,
the tables that slack_sdk's ``SQLAlchemyInstallationStore`` and ``SQLAlchemyOAuthStateStore``
build on their own metadata (slack_sdk 3.x), so the stores read and write the tables that our
migration created. The adapter encrypts every token column before slack_sdk sees a row, so
tokens are never stored in the clear. ``slack_message_receipts`` de-duplicates the
``app_mention`` + ``message`` double delivery of one message on ``(team, channel, ts)``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base
from bot.storage.types import UtcDateTime

__all__ = ["SlackBot", "SlackInstallation", "SlackMessageReceipt", "SlackOAuthState"]

_S32 = String(32)
_S200 = String(200)


class SlackInstallation(Base):
    """One workspace (or user) install, as slack_sdk's installation store writes it."""

    __tablename__ = "slack_installations"
    __table_args__ = (
        Index(
            "slack_installations_idx",
            "client_id",
            "enterprise_id",
            "team_id",
            "user_id",
            "installed_at",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(_S32)
    app_id: Mapped[str] = mapped_column(_S32)
    enterprise_id: Mapped[str | None] = mapped_column(_S32)
    enterprise_name: Mapped[str | None] = mapped_column(_S200)
    enterprise_url: Mapped[str | None] = mapped_column(_S200)
    team_id: Mapped[str | None] = mapped_column(_S32)
    team_name: Mapped[str | None] = mapped_column(_S200)
    bot_token: Mapped[str | None] = mapped_column(_S200)
    bot_id: Mapped[str | None] = mapped_column(_S32)
    bot_user_id: Mapped[str | None] = mapped_column(_S32)
    bot_scopes: Mapped[str | None] = mapped_column(String(1000))
    bot_refresh_token: Mapped[str | None] = mapped_column(_S200)
    bot_token_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    user_id: Mapped[str] = mapped_column(_S32)
    user_token: Mapped[str | None] = mapped_column(_S200)
    user_scopes: Mapped[str | None] = mapped_column(String(1000))
    user_refresh_token: Mapped[str | None] = mapped_column(_S200)
    user_token_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    incoming_webhook_url: Mapped[str | None] = mapped_column(_S200)
    incoming_webhook_channel: Mapped[str | None] = mapped_column(_S200)
    incoming_webhook_channel_id: Mapped[str | None] = mapped_column(_S200)
    incoming_webhook_configuration_url: Mapped[str | None] = mapped_column(_S200)
    is_enterprise_install: Mapped[bool] = mapped_column(Boolean, default=False)
    token_type: Mapped[str | None] = mapped_column(_S32)
    installed_at: Mapped[datetime] = mapped_column(DateTime, default=func.now())


class SlackBot(Base):
    """The newest bot token of a workspace, as slack_sdk's installation store writes it."""

    __tablename__ = "slack_bots"
    __table_args__ = (
        Index("slack_bots_idx", "client_id", "enterprise_id", "team_id", "installed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(_S32)
    app_id: Mapped[str] = mapped_column(_S32)
    enterprise_id: Mapped[str | None] = mapped_column(_S32)
    enterprise_name: Mapped[str | None] = mapped_column(_S200)
    team_id: Mapped[str | None] = mapped_column(_S32)
    team_name: Mapped[str | None] = mapped_column(_S200)
    bot_token: Mapped[str | None] = mapped_column(_S200)
    bot_id: Mapped[str | None] = mapped_column(_S32)
    bot_user_id: Mapped[str | None] = mapped_column(_S32)
    bot_scopes: Mapped[str | None] = mapped_column(String(1000))
    bot_refresh_token: Mapped[str | None] = mapped_column(_S200)
    bot_token_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    is_enterprise_install: Mapped[bool] = mapped_column(Boolean, default=False)
    installed_at: Mapped[datetime] = mapped_column(DateTime, default=func.now())


class SlackOAuthState(Base):
    """A single-use OAuth ``state`` value, as slack_sdk's state store writes it."""

    __tablename__ = "slack_oauth_states"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    state: Mapped[str] = mapped_column(_S200)
    expire_at: Mapped[datetime] = mapped_column(DateTime)


class SlackMessageReceipt(Base):
    """A Slack message already taken into the inbox (ids only, never the text)."""

    __tablename__ = "slack_message_receipts"

    team_id: Mapped[str] = mapped_column(_S32, primary_key=True)
    channel: Mapped[str] = mapped_column(_S32, primary_key=True)
    ts: Mapped[str] = mapped_column(_S32, primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
