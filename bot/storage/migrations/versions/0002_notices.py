"""notices: one row per account change event (R20-R25)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notices",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("account_number", sa.String(length=64), nullable=False),
        sa.Column(
            "account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("activation_flow", sa.Boolean(), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", bot.storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("destination_type", sa.String(length=16), nullable=True),
        sa.Column(
            "destination_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("excluded_contact_ids", sa.String(length=255), nullable=True),
        sa.Column("sent_to_prior_contact", sa.Boolean(), nullable=False),
        sa.Column("delivery_seq", sa.Integer(), nullable=False),
        sa.Column("provider_ref", sa.String(length=255), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", bot.storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", bot.storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", bot.storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_notices_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
        sa.UniqueConstraint("source", "event_id", name=op.f("uq_notices_source_event_id")),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notices_account_number"), ["account_number"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_notices_account_id"), ["account_id"], unique=False)
        batch_op.create_index("ix_notices_state_created", ["state", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index("ix_notices_state_created")
        batch_op.drop_index(batch_op.f("ix_notices_account_id"))
        batch_op.drop_index(batch_op.f("ix_notices_account_number"))

    op.drop_table("notices")
