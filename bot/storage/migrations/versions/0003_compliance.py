"""compliance: incidents, audit purge anchors, append-only trigger on audit_events (PostgreSQL)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 14:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# The audit log is append-only (R31). On PostgreSQL a statement trigger refuses UPDATE always,
# and DELETE unless the transaction set ``SET LOCAL cpni.audit_purge = 'on'``, which only the
# retention purge (bot.storage.audit_integrity.purge_prefix) does. Purge anchors are never changed.
# SQLite has no equivalent that a writer could not drop, so there the hash chain alone shows
# tampering. TRUNCATE is not covered: it needs table ownership, which the bot's role should
# not have in production (docs/compliance.md).
_GUARD_FUNCTION = """
CREATE OR REPLACE FUNCTION cpni_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'audit_events'
       AND current_setting('cpni.audit_purge', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'cpni-guard: % on % refused: the audit log is append-only',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$
"""
_TRIGGERS = {
    "audit_events": "cpni_audit_events_append_only",
    "audit_anchors": "cpni_audit_anchors_append_only",
}


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("account_number", sa.String(length=64), nullable=True),
        sa.Column("conversation_key", sa.String(length=255), nullable=True),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("rule", sa.String(length=8), nullable=False),
        sa.Column("opened_at", bot.storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", bot.storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("determined_at", bot.storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column(
            "agency_notified_at", bot.storage.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "agency_delay_until", bot.storage.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "customer_notified_at", bot.storage.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("customers_affected", sa.Integer(), nullable=True),
        sa.Column("harm_likely", sa.Boolean(), nullable=True),
        sa.Column("closed_at", bot.storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("retain_until", bot.storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incidents_account_number"), ["account_number"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_incidents_opened_at"), ["opened_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_subject"), ["subject"], unique=False)

    op.create_table(
        "audit_anchors",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", bot.storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("purged_before", bot.storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column(
            "first_event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "last_event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "purged_count", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_anchors")),
        sa.UniqueConstraint("last_event_id", name=op.f("uq_audit_anchors_last_event_id")),
    )

    if op.get_bind().dialect.name == "postgresql":
        op.execute(_GUARD_FUNCTION)
        for table, trigger in _TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION cpni_audit_append_only()"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, trigger in _TRIGGERS.items():
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS cpni_audit_append_only()")
    op.drop_table("audit_anchors")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incidents_subject"))
        batch_op.drop_index(batch_op.f("ix_incidents_state"))
        batch_op.drop_index(batch_op.f("ix_incidents_opened_at"))
        batch_op.drop_index(batch_op.f("ix_incidents_account_number"))

    op.drop_table("incidents")
