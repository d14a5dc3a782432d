"""Helpers shared by the compliance tests (not a test module)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from bot.domain.audit import AuditAction, AuditEvent
from bot.storage.audit_log import append
from bot.storage.db import Database


def add_events(
    database: Database, count: int, *, start: datetime, step: timedelta = timedelta(minutes=1)
) -> None:
    """Append ``count`` ordinary verification events, ``step`` apart."""
    with database.transaction() as session:
        for i in range(count):
            append(
                session,
                AuditEvent(
                    occurred_at=start + i * step,
                    actor=f"slack:T1/U{i % 3}",
                    action=AuditAction.PIN_VERIFY,
                    surface="slack",
                    conversation_key=f"slack:T1/C1/{i}",
                    account_number=f"A-{i % 5}",
                    method="agent",
                    outcome="verified",
                    details={"attempts_left": 3},
                ),
            )


def bypass_guard(session: Session) -> None:
    """Let this transaction tamper with the audit table (tests only; PostgreSQL superuser)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL session_replication_role = replica"))
