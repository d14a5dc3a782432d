"""Export, purge and verify as the compliance officer runs them (R31, R32)."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from compliance_helpers import add_events, bypass_guard
from sqlalchemy import func, select

from bot.domain.audit import AuditAction, AuditEvent
from bot.domain.incidents import BreachRule
from bot.services import audit_tools
from bot.services.incidents import AlertTargets, check_event
from bot.storage.audit_log import append
from bot.storage.compliance import AuditAnchor
from bot.storage.db import Database
from bot.storage.records import AuditEventRow

from fakes import FrozenClock

SECRETS = ("4821", "hunter2", "my dog is called Rex", "xoxb-")


def _write_unsafe_row(database: Database, clock: FrozenClock) -> None:
    """A legacy row carrying secret-named detail keys (written around the AuditEvent guard)."""
    with database.transaction() as session:
        row = append(
            session,
            AuditEvent(occurred_at=clock(), actor="legacy", action=AuditAction.PIN_VERIFY),
        )
        bypass_guard(session)
        row.details = {"pin": "4821", "message_text": "my dog is called Rex", "token": "xoxb-1"}


def test_export_jsonl_holds_the_range_and_no_secret(database: Database, clock: FrozenClock) -> None:
    """A JSON Lines export holds the range and drops secret-named details (style rule 4)."""
    start = clock() - timedelta(days=10)
    add_events(database, 20, start=start, step=timedelta(days=1))
    _write_unsafe_row(database, clock)
    out = io.StringIO()
    count = audit_tools.export_events(
        database,
        out,
        fmt="jsonl",
        actor="cli:officer",
        now=clock(),
        start=start + timedelta(days=5),
        end=clock() + timedelta(seconds=1),
    )
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert count == len(lines) == 7  # days -5..0 of the run (6) plus the legacy row
    assert [r["id"] for r in lines] == sorted(r["id"] for r in lines)
    assert not any(secret in out.getvalue() for secret in SECRETS)
    assert lines[-1]["details"] == {}


def test_export_csv_by_account(database: Database, clock: FrozenClock) -> None:
    """A CSV export filtered by account has a header and only that account's rows."""
    add_events(database, 10, start=clock())
    out = io.StringIO()
    count = audit_tools.export_events(
        database, out, fmt="csv", actor="cli:officer", now=clock(), account="A-1"
    )
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert count == len(rows) == 2
    assert {r["account_number"] for r in rows} == {"A-1"}
    assert tuple(rows[0]) == audit_tools.EXPORT_FIELDS


def test_an_export_is_itself_audited(database: Database, clock: FrozenClock) -> None:
    """Who exported what is in the log, with the count but no exported content."""
    add_events(database, 3, start=clock())
    audit_tools.export_events(
        database, io.StringIO(), fmt="jsonl", actor="cli:officer", now=clock()
    )
    with database.transaction() as session:
        last = session.scalars(select(AuditEventRow).order_by(AuditEventRow.id.desc())).first()
    assert last is not None and last.action == AuditAction.AUDIT_EXPORTED
    assert last.actor == "cli:officer" and last.details["count"] == 3


def test_purge_refuses_data_younger_than_the_minimum(
    database: Database, clock: FrozenClock
) -> None:
    """--before later than now minus the retention minimum is refused; nothing changes (R31)."""
    add_events(database, 5, start=clock() - timedelta(days=800))
    result = audit_tools.purge(
        database,
        before=clock() - timedelta(days=700),
        now=clock(),
        actor="cli:officer",
        min_retention_days=730,
    )
    assert result.refused is not None and "730 days" in result.refused and result.purged == 0
    with database.transaction() as session:
        assert session.scalar(select(func.count(AuditEventRow.id))) == 5


def test_purge_removes_old_events_records_itself_and_the_chain_still_verifies(
    database: Database, clock: FrozenClock
) -> None:
    """A purge deletes the old prefix, leaves an anchor and an audit_purged event; verify passes."""
    add_events(database, 6, start=clock() - timedelta(days=900), step=timedelta(days=10))
    add_events(database, 4, start=clock() - timedelta(days=10))
    before = clock() - timedelta(days=750)
    result = audit_tools.purge(
        database, before=before, now=clock(), actor="cli:officer", min_retention_days=730
    )
    assert (result.refused, result.purged, result.first_event_id, result.last_event_id) == (
        None,
        6,
        1,
        6,
    )
    with database.transaction() as session:
        purge_event = session.scalars(
            select(AuditEventRow).where(AuditEventRow.action == AuditAction.AUDIT_PURGED)
        ).one()
        anchor = session.scalars(select(AuditAnchor)).one()
    assert purge_event.actor == "cli:officer" and purge_event.details["purged_count"] == 6
    assert purge_event.details["anchor_link"] == anchor.last_hash
    report = audit_tools.verify(database)
    assert report.ok and report.checked == 5 and report.purged_through == 6


def test_a_forged_purge_is_found(database: Database, clock: FrozenClock) -> None:
    """Deleting the oldest rows without the purge path leaves a chain that does not verify."""
    add_events(database, 5, start=clock() - timedelta(days=900))
    with database.transaction() as session:
        bypass_guard(session)
        session.execute(AuditEventRow.__table__.delete().where(AuditEventRow.id <= 2))
    report = audit_tools.verify(database)
    assert not report.ok and report.break_at is not None and report.break_at.event_id == 3


def test_purge_keeps_evidence_of_a_retained_incident(
    database: Database, clock: FrozenClock
) -> None:
    """Events an open incident points to cannot be purged, however old (R32)."""
    with database.transaction() as session:
        row = append(
            session,
            AuditEvent(
                occurred_at=clock() - timedelta(days=800),
                actor="slack:T1/U1",
                action=AuditAction.DISCLOSED_WHILE_LOCKED,
                conversation_key="slack:T1/C1/1",
            ),
        )
        check_event(session, row.id, now=clock(), rule=BreachRule.RULE_2007, alerts=AlertTargets())
    result = audit_tools.purge(
        database,
        before=clock() - timedelta(days=740),
        now=clock(),
        actor="cli:officer",
        min_retention_days=730,
    )
    assert result.refused is not None and "incident" in result.refused
