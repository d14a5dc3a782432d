"""Sonar background work: the ``logs`` backstop for missed webhooks and the notes feed.

:func:`poll_changes` reads Sonar's change logs after a cursor and refreshes each touched account
exactly like a webhook would (so a missed or lost webhook is still noticed). :func:`queue_notes`
tails the audit log for PIN verifications and lockouts on Sonar accounts and queues one
``sonar.note`` effect each (never the PIN: only who, where and when).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.audit import AuditAction
from bot.services.sonar_sync import (
    NoticeRouting,
    SonarSource,
    load_cursor,
    refresh_account,
    save_cursor,
)
from bot.storage.accounts import Account
from bot.storage.db import Database
from bot.storage.records import AuditEventRow
from bot.worker import enqueue_effect

__all__ = ["NOTE_EFFECT", "SonarChangeFeed", "poll_changes", "queue_notes", "resolve_accounts"]

NOTE_EFFECT = "sonar.note"
_FIRST_LOOKBACK = timedelta(minutes=10)


class SonarChangeFeed(SonarSource, Protocol):
    """A :class:`SonarSource` that can also list change logs and find an object's account."""

    def change_log(self, *, since: datetime, after_id: str | None) -> list[tuple[str, str, str]]:
        """``(log id, model, object id)`` of contact, phone and address changes, oldest first."""
        ...

    def owning_accounts(self, model: str, object_id: str) -> list[str]:
        """The account ids owning a contact, phone number or address (re-read from Sonar)."""
        ...


def resolve_accounts(
    source: SonarChangeFeed, model: str, object_id: str, hints: Sequence[str] = ()
) -> list[str]:
    """The accounts to re-read for a change to ``model`` ``object_id``.

    ``hints`` (account ids taken from an untrusted webhook payload) are used only when Sonar no
    longer shows the object (it was deleted): re-reading an account is always safe.
    """
    owners = source.owning_accounts(model, object_id)
    return list(dict.fromkeys(owners or list(hints)))


def poll_changes(
    database: Database, source: SonarChangeFeed, *, routing: NoticeRouting, now: datetime
) -> int:
    """Refresh every account Sonar logged a contact, phone or address change for.

    Returns:
        How many accounts were refreshed.
    """
    with database.transaction() as session:
        cursor = load_cursor(session, "logs")
    since = datetime.fromisoformat(cursor["since"]) if "since" in cursor else now - _FIRST_LOOKBACK
    rows = source.change_log(since=since, after_id=cursor.get("after_id"))
    accounts: dict[str, None] = {}
    for _, model, object_id in rows:
        accounts.update(dict.fromkeys(resolve_accounts(source, model, object_id)))
    with database.transaction() as session:
        for account_id in accounts:
            refresh_account(session, source, account_id, routing=routing, now=now)
        after = rows[-1][0] if rows else cursor.get("after_id")
        save_cursor(session, "logs", {"since": since.isoformat(), "after_id": after}, now=now)
    return len(accounts)


def queue_notes(session: Session, *, now: datetime) -> int:
    """Queue a ``sonar.note`` for each new PIN verification or lockout on a Sonar account.

    Returns:
        How many notes were queued.
    """
    cursor = load_cursor(session, "notes")
    last = int(cursor.get("last_event_id", 0))
    rows = session.execute(
        select(AuditEventRow)
        .join(Account, Account.account_number == AuditEventRow.account_number)
        .where(
            AuditEventRow.id > last,
            Account.source == "sonar",
            AuditEventRow.action.in_([AuditAction.PIN_VERIFY, AuditAction.PIN_LOCKOUT]),
        )
        .order_by(AuditEventRow.id)
        .limit(500)
    ).scalars()
    queued = 0
    for row in rows:
        last = row.id
        kind = "locked_out" if row.action == AuditAction.PIN_LOCKOUT else row.outcome
        if kind not in {"verified", "locked_out"}:
            continue
        queued += enqueue_effect(
            session,
            key=f"{NOTE_EFFECT}:{row.id}",
            kind=NOTE_EFFECT,
            payload={
                "account": row.account_number,
                "kind": kind,
                "actor": row.actor,
                "surface": row.surface or "",
                "at": row.occurred_at.isoformat(),
            },
            now=now,
        )
    save_cursor(session, "notes", {"last_event_id": last}, now=now)
    return queued
