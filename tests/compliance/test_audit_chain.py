"""The audit chain finds tampering, and PostgreSQL refuses to change it at all (R31)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from compliance_helpers import add_events, bypass_guard
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError

from bot.domain.audit import GENESIS_HASH, AuditAction, AuditEvent, chain_hash
from bot.storage.audit_integrity import verify_chain
from bot.storage.db import Database
from bot.storage.records import AuditEventRow

from fakes import FrozenClock


def test_an_untouched_chain_verifies(database: Database, clock: FrozenClock) -> None:
    """Every link of a freshly written chain holds."""
    add_events(database, 10, start=clock())
    with database.transaction() as session:
        assert verify_chain(session) == (10, None)


def test_a_tampered_row_is_found(database: Database, clock: FrozenClock) -> None:
    """Changing one field of one row breaks that row's own hash."""
    add_events(database, 10, start=clock())
    with database.transaction() as session:
        bypass_guard(session)
        session.execute(
            update(AuditEventRow).where(AuditEventRow.id == 4).values(outcome="rejected")
        )
    with database.transaction() as session:
        checked, broken = verify_chain(session)
    assert checked == 3 and broken is not None
    assert broken.event_id == 4 and "altered" in broken.reason


def test_a_deleted_row_is_found(database: Database, clock: FrozenClock) -> None:
    """Deleting a row in the middle breaks the next row's link."""
    add_events(database, 10, start=clock())
    with database.transaction() as session:
        bypass_guard(session)
        session.execute(delete(AuditEventRow).where(AuditEventRow.id == 5))
    with database.transaction() as session:
        checked, broken = verify_chain(session)
    assert checked == 4 and broken is not None and broken.event_id == 6
    assert "missing" in broken.reason


def test_a_deleted_newest_row_is_found(database: Database, clock: FrozenClock) -> None:
    """Deleting the newest row is caught by the head, which remembers the last hash."""
    add_events(database, 5, start=clock())
    with database.transaction() as session:
        bypass_guard(session)
        session.execute(delete(AuditEventRow).where(AuditEventRow.id == 5))
    with database.transaction() as session:
        checked, broken = verify_chain(session)
    assert checked == 4 and broken is not None and "newest" in broken.reason


def test_reordered_rows_are_found(database: Database, clock: FrozenClock) -> None:
    """Swapping the contents of two rows (a reorder) breaks the chain at the first of them."""
    add_events(database, 10, start=clock())
    with database.transaction() as session:
        bypass_guard(session)
        a, b = (session.get(AuditEventRow, i) for i in (3, 7))
        assert a is not None and b is not None
        fields = ("occurred_at", "actor", "conversation_key", "account_number", "prev_hash")
        swap = {f: (getattr(a, f), getattr(b, f)) for f in (*fields, "row_hash")}
        # Park row 7's unique hash first, then swap everything.
        session.execute(update(AuditEventRow).where(AuditEventRow.id == 7).values(row_hash="x"))
        session.execute(
            update(AuditEventRow)
            .where(AuditEventRow.id == 3)
            .values(**{f: v[1] for f, v in swap.items()})
        )
        session.execute(
            update(AuditEventRow)
            .where(AuditEventRow.id == 7)
            .values(**{f: v[0] for f, v in swap.items()})
        )
    with database.transaction() as session:
        checked, broken = verify_chain(session)
    assert checked == 2 and broken is not None and broken.event_id == 3


@pytest.fixture
def postgres_only(database: Database) -> Database:
    """The ``database`` fixture, PostgreSQL parameter only (the trigger exists only there)."""
    if not database.is_postgresql:
        pytest.skip("the append-only trigger is PostgreSQL-only; SQLite relies on the chain")
    return database


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET outcome = 'rejected' WHERE id = 1",
        "DELETE FROM audit_events WHERE id = 1",
        "UPDATE audit_anchors SET last_hash = 'x'",
        "DELETE FROM audit_anchors",
    ],
)
def test_postgresql_refuses_update_and_delete(
    postgres_only: Database, clock: FrozenClock, statement: str
) -> None:
    """The trigger refuses UPDATE and DELETE on the audit tables outright (R31)."""
    add_events(postgres_only, 2, start=clock())
    with pytest.raises(DBAPIError, match="append-only"), postgres_only.transaction() as session:
        session.execute(text(statement))
    with postgres_only.transaction() as session:
        assert verify_chain(session) == (2, None)


def test_postgresql_allows_delete_only_with_the_purge_setting(
    postgres_only: Database, clock: FrozenClock
) -> None:
    """DELETE passes only in a transaction that set cpni.audit_purge (the purge path)."""
    add_events(postgres_only, 2, start=clock())
    with postgres_only.transaction() as session:
        session.execute(text("SET LOCAL cpni.audit_purge = 'on'"))
        session.execute(text("DELETE FROM audit_events WHERE id = 1"))
    with postgres_only.transaction() as session:
        assert session.get(AuditEventRow, 1) is None
    with pytest.raises(DBAPIError, match="append-only"), postgres_only.transaction() as session:
        session.execute(text("DELETE FROM audit_events WHERE id = 2"))


def test_the_same_instant_hashes_the_same_in_any_zone() -> None:
    """Timestamps are hashed in canonical UTC, so an offset never changes a row's hash."""
    utc = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    eastern = utc.astimezone(timezone(timedelta(hours=-5)))
    hashes = {
        chain_hash(
            GENESIS_HASH, AuditEvent(occurred_at=t, actor="a", action=AuditAction.PIN_VERIFY)
        )
        for t in (utc, eastern)
    }
    assert len(hashes) == 1
