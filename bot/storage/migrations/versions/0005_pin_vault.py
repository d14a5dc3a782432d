"""pin vault: one-time PIN reset codes and the failed-attempt trail (R14, R26)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 14:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pin_failures",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("occurred_at", bot.storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("account_number", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=True),
        sa.Column("source", sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pin_failures")),
    )
    with op.batch_alter_table("pin_failures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pin_failures_actor"), ["actor"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_pin_failures_occurred_at"), ["occurred_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pin_failures_source"), ["source"], unique=False)

    op.create_table(
        "pin_reset_codes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("code_hash", sa.Text(), nullable=False),
        sa.Column("pepper_key_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", bot.storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", bot.storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("used_at", bot.storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_pin_reset_codes_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pin_reset_codes")),
    )
    with op.batch_alter_table("pin_reset_codes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pin_reset_codes_account_id"), ["account_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("pin_reset_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pin_reset_codes_account_id"))

    op.drop_table("pin_reset_codes")
    with op.batch_alter_table("pin_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pin_failures_source"))
        batch_op.drop_index(batch_op.f("ix_pin_failures_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_pin_failures_actor"))

    op.drop_table("pin_failures")
