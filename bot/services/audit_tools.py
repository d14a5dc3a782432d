"""The compliance officer's audit tools: verify the chain, export events, purge old ones.

* :func:`verify` walks the hash chain (from the newest purge anchor, if any) and reports the
  first broken or missing link (R31).
* :func:`export_events` streams a date range as CSV or JSON Lines. Events never hold a PIN, hash
  of one, token or message text (style rule 4); the export also drops any detail key that would
  name one, as a second line of defence. The export itself is audited.
* :func:`purge` removes events older than a date, refusing anything younger than the
  configured minimum retention (2 years by default, R31-R32) or still held as an open or
  retained incident's evidence; the purge is itself an audit event.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, TextIO

from sqlalchemy import Row, create_engine
from sqlalchemy.orm import Session

from bot.domain.audit import AuditAction, AuditEvent, redact_details
from bot.storage import audit_integrity, audit_log
from bot.storage.db import Database
from bot.storage.incidents import earliest_retained_evidence

__all__ = [
    "EXPORT_FIELDS",
    "PurgeResult",
    "VerifyReport",
    "count_events",
    "export_events",
    "purge",
    "read_session",
    "verify",
]

ExportFormat = Literal["csv", "jsonl"]
Progress = Callable[[Iterable[Row[Any]], int], Iterator[Row[Any]]]

#: The columns of an export, in order. Chain hashes let a reader re-verify the export; they are
#: integrity values, not secrets.
EXPORT_FIELDS = (
    "id",
    "occurred_at",
    "actor",
    "action",
    "surface",
    "conversation_key",
    "account_number",
    "method",
    "outcome",
    "categories",
    "details",
    "prev_hash",
    "row_hash",
)


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """The result of a chain walk."""

    checked: int
    break_at: audit_integrity.ChainBreak | None
    purged_through: int | None

    @property
    def ok(self) -> bool:
        """Whether every link holds."""
        return self.break_at is None


@contextmanager
def read_session(database: Database) -> Iterator[Session]:
    """A read-only session for long walks that never blocks the bot's writers.

    On SQLite every :meth:`Database.transaction` takes the write lock (``BEGIN IMMEDIATE``), so
    a long export would stall appends past the busy timeout; reads here go through a plain
    engine instead (WAL readers do not block writers). On PostgreSQL it is a normal transaction.
    """
    if database.is_postgresql:
        with database.transaction() as session:
            yield session
        return
    engine = create_engine(database.url)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


def verify(database: Database) -> VerifyReport:
    """Walk the whole chain once (read-only)."""
    with read_session(database) as session:
        anchor = audit_integrity.latest_anchor(session)
        checked, broken = audit_integrity.verify_chain(session)
    return VerifyReport(checked, broken, anchor.last_event_id if anchor else None)


def count_events(
    database: Database,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    account: str | None = None,
) -> int:
    """How many events an export of this range would write (for a progress bar)."""
    with read_session(database) as session:
        return audit_log.count_range(session, start=start, end=end, account=account)


def _record(row: Row[Any]) -> dict[str, Any]:
    return {
        "id": row.id,
        "occurred_at": row.occurred_at.isoformat(),
        "actor": row.actor,
        "action": row.action,
        "surface": row.surface,
        "conversation_key": row.conversation_key,
        "account_number": row.account_number,
        "method": row.method,
        "outcome": row.outcome,
        "categories": list(row.categories),
        "details": redact_details(row.details),
        "prev_hash": row.prev_hash,
        "row_hash": row.row_hash,
    }


def _csv_cells(record: dict[str, Any]) -> dict[str, Any]:
    cells = dict(record)
    cells["categories"] = ";".join(record["categories"])
    cells["details"] = json.dumps(record["details"], sort_keys=True, ensure_ascii=False)
    return cells


def export_events(
    database: Database,
    out: TextIO,
    *,
    fmt: ExportFormat,
    actor: str,
    now: datetime,
    start: datetime | None = None,
    end: datetime | None = None,
    account: str | None = None,
    progress: Progress | None = None,
) -> int:
    """Stream the events with ``start <= occurred_at < end`` (and ``account``) to ``out``.

    Rows are read in keyset pages inside one read transaction, so memory stays flat and the
    export is a consistent snapshot on PostgreSQL. Returns how many events were written.
    """
    written = 0
    with read_session(database) as session:
        rows: Iterable[Row[Any]] = audit_log.iter_range(
            session, start=start, end=end, account=account
        )
        if progress is not None:
            total = audit_log.count_range(session, start=start, end=end, account=account)
            rows = progress(rows, total)
        writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS) if fmt == "csv" else None
        if writer is not None:
            writer.writeheader()
        for row in rows:
            record = _record(row)
            if writer is not None:
                writer.writerow(_csv_cells(record))
            else:
                out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
            written += 1
    with database.transaction() as session:
        audit_log.append(
            session,
            AuditEvent(
                occurred_at=now,
                actor=actor,
                action=AuditAction.AUDIT_EXPORTED,
                account_number=account,
                details={
                    "format": fmt,
                    "from": start.isoformat() if start else None,
                    "to": end.isoformat() if end else None,
                    "count": written,
                },
            ),
        )
    return written


@dataclass(frozen=True, slots=True)
class PurgeResult:
    """What a purge did, or why it refused (``refused`` set: nothing was deleted)."""

    purged: int = 0
    first_event_id: int | None = None
    last_event_id: int | None = None
    refused: str | None = None


def purge(
    database: Database,
    *,
    before: datetime,
    now: datetime,
    actor: str,
    min_retention_days: int,
) -> PurgeResult:
    """Delete audit events older than ``before`` if policy allows; audit the purge.

    Args:
        database: the database.
        before: events that occurred before this instant go (a contiguous oldest run).
        now: the current time.
        actor: who purges (recorded in the ``audit_purged`` event).
        min_retention_days: ``CPNI_AUDIT_MIN_RETENTION_DAYS``; ``before`` must be at least this
            far in the past (R31-R32).
    """
    oldest_allowed = now - timedelta(days=min_retention_days)
    if before > oldest_allowed:
        return PurgeResult(
            refused=(
                f"refusing to purge events younger than {min_retention_days} days: "
                f"--before must be on or before {oldest_allowed.date().isoformat()} "
                "(CPNI_AUDIT_MIN_RETENTION_DAYS, R31-R32)"
            )
        )
    with database.transaction() as session:
        held = earliest_retained_evidence(session, now=now)
        if held is not None and _would_reach(session, before=before, event_id=held):
            return PurgeResult(
                refused=(
                    f"refusing to purge: event {held} is evidence of an incident still inside "
                    "its 2-year retention (R32); choose an earlier --before"
                )
            )
        done = audit_integrity.purge_prefix(session, before=before, now=now, actor=actor)
    return PurgeResult(done.count, done.first_event_id, done.last_event_id)


def _would_reach(session: Session, *, before: datetime, event_id: int) -> bool:
    first_kept = audit_integrity.first_kept_id(session, before=before)
    return first_kept is None or event_id < first_kept
