"""slack: OAuth installation/bot/state tables (slack_sdk's schema) and message receipts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 14:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_S32 = sa.String(length=32)
_S200 = sa.String(length=200)


def upgrade() -> None:
    op.create_table(
        "slack_installations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", _S32, nullable=False),
        sa.Column("app_id", _S32, nullable=False),
        sa.Column("enterprise_id", _S32, nullable=True),
        sa.Column("enterprise_name", _S200, nullable=True),
        sa.Column("enterprise_url", _S200, nullable=True),
        sa.Column("team_id", _S32, nullable=True),
        sa.Column("team_name", _S200, nullable=True),
        sa.Column("bot_token", _S200, nullable=True),
        sa.Column("bot_id", _S32, nullable=True),
        sa.Column("bot_user_id", _S32, nullable=True),
        sa.Column("bot_scopes", sa.String(length=1000), nullable=True),
        sa.Column("bot_refresh_token", _S200, nullable=True),
        sa.Column("bot_token_expires_at", sa.DateTime(), nullable=True),
        sa.Column("user_id", _S32, nullable=False),
        sa.Column("user_token", _S200, nullable=True),
        sa.Column("user_scopes", sa.String(length=1000), nullable=True),
        sa.Column("user_refresh_token", _S200, nullable=True),
        sa.Column("user_token_expires_at", sa.DateTime(), nullable=True),
        sa.Column("incoming_webhook_url", _S200, nullable=True),
        sa.Column("incoming_webhook_channel", _S200, nullable=True),
        sa.Column("incoming_webhook_channel_id", _S200, nullable=True),
        sa.Column("incoming_webhook_configuration_url", _S200, nullable=True),
        sa.Column("is_enterprise_install", sa.Boolean(), nullable=False),
        sa.Column("token_type", _S32, nullable=True),
        sa.Column("installed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slack_installations")),
    )
    with op.batch_alter_table("slack_installations", schema=None) as batch_op:
        batch_op.create_index(
            "slack_installations_idx",
            ["client_id", "enterprise_id", "team_id", "user_id", "installed_at"],
            unique=False,
        )

    op.create_table(
        "slack_bots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", _S32, nullable=False),
        sa.Column("app_id", _S32, nullable=False),
        sa.Column("enterprise_id", _S32, nullable=True),
        sa.Column("enterprise_name", _S200, nullable=True),
        sa.Column("team_id", _S32, nullable=True),
        sa.Column("team_name", _S200, nullable=True),
        sa.Column("bot_token", _S200, nullable=True),
        sa.Column("bot_id", _S32, nullable=True),
        sa.Column("bot_user_id", _S32, nullable=True),
        sa.Column("bot_scopes", sa.String(length=1000), nullable=True),
        sa.Column("bot_refresh_token", _S200, nullable=True),
        sa.Column("bot_token_expires_at", sa.DateTime(), nullable=True),
        sa.Column("is_enterprise_install", sa.Boolean(), nullable=False),
        sa.Column("installed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slack_bots")),
    )
    with op.batch_alter_table("slack_bots", schema=None) as batch_op:
        batch_op.create_index(
            "slack_bots_idx",
            ["client_id", "enterprise_id", "team_id", "installed_at"],
            unique=False,
        )

    op.create_table(
        "slack_oauth_states",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("state", _S200, nullable=False),
        sa.Column("expire_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slack_oauth_states")),
    )

    op.create_table(
        "slack_message_receipts",
        sa.Column("team_id", _S32, nullable=False),
        sa.Column("channel", _S32, nullable=False),
        sa.Column("ts", _S32, nullable=False),
        sa.Column("received_at", bot.storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "channel", "ts", name=op.f("pk_slack_message_receipts")),
    )
    with op.batch_alter_table("slack_message_receipts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_slack_message_receipts_received_at"), ["received_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("slack_message_receipts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slack_message_receipts_received_at"))
    op.drop_table("slack_message_receipts")
    op.drop_table("slack_oauth_states")
    with op.batch_alter_table("slack_bots", schema=None) as batch_op:
        batch_op.drop_index("slack_bots_idx")
    op.drop_table("slack_bots")
    with op.batch_alter_table("slack_installations", schema=None) as batch_op:
        batch_op.drop_index("slack_installations_idx")
    op.drop_table("slack_installations")
