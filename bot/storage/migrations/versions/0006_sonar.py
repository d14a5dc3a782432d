"""sonar: sync cursors and account snapshots (issue 9)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 15:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sonar_cursors",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", bot.storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sonar_cursors")),
    )
    op.create_table(
        "sonar_snapshots",
        sa.Column("sonar_account_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=128), nullable=False),
        sa.Column("logins_digest", sa.String(length=64), nullable=False),
        sa.Column("synced_at", bot.storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sonar_account_id", name=op.f("pk_sonar_snapshots")),
    )


def downgrade() -> None:
    op.drop_table("sonar_snapshots")
    op.drop_table("sonar_cursors")
