"""Sonar as the system of record: reconcile accounts into the directory, notice real changes.

The Sonar adapter (``handlers.sonar``) implements :class:`SonarSource`; this module holds the use
cases. :func:`reconcile` upserts one account through the account import's contact logic (so
``associated_since`` stays honest: an unchanged value keeps its 30-day clock, a new one starts
it, a replaced one is retired, R10/R24/R25) and turns what really changed into
:class:`~bot.domain.notifications.AccountChange` events. :func:`announce` decides, per kind, who
notifies (cpni-guard or Sonar's own triggered message) and records ours with the notifications
service in the same transaction. :func:`sync_accounts` pages through Sonar with a resumable
cursor; :func:`refresh_account` serves the webhook worker and the ``logs`` backstop.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.orm import Session

from bot.domain.audit import AuditAction, AuditEvent
from bot.domain.notifications import AccountChange, ChangeKind, Channel
from bot.domain.sonar import SONAR_TRIGGERS, Notifier, SonarAccount, online_account_digest
from bot.domain.sonar import to_record as sonar_to_record
from bot.domain.sonar import who_notifies as decide_notifier
from bot.policy import Policy
from bot.services.account_import import AccountUpsert, upsert_account
from bot.services.notices import record_change
from bot.storage.accounts import EmailAddress, PhoneNumber, PostalAddress
from bot.storage.audit_log import append
from bot.storage.db import Database
from bot.storage.sonar import SonarCursor, SonarSnapshot

__all__ = [
    "AccountPage",
    "NoticeRouting",
    "Reconciliation",
    "SonarSource",
    "SyncReport",
    "announce",
    "load_cursor",
    "reconcile",
    "refresh_account",
    "save_cursor",
    "sync_accounts",
]

#: Incremental runs re-read this much before the last run's start, for clock skew.
SKEW = timedelta(minutes=5)
_SOURCE = "sonar"


@dataclass(frozen=True, slots=True)
class AccountPage:
    """One page of accounts; ``total`` counts those still to read, this page included."""

    accounts: list[SonarAccount]
    total: int


class SonarSource(Protocol):
    """What the use cases read from Sonar (implemented by ``handlers.sonar.gateway``)."""

    def account_pages(
        self, *, since: datetime | None, after_id: str | None, page_size: int
    ) -> Iterator[AccountPage]:
        """Accounts by ascending id after ``after_id``, changed at or after ``since``."""
        ...

    def fetch_account(self, account_id: str) -> SonarAccount | None:
        """One account, re-read from Sonar (``None`` if gone or not visible)."""
        ...

    def password_change(self, contact_ids: Sequence[str], *, since: datetime) -> str | None:
        """The id of a log showing a contact password change since ``since``, if any."""
        ...

    def trigger_states(self) -> dict[str, bool]:
        """``MessageTrigger`` -> enabled, for Sonar's own triggered messages."""
        ...


@dataclass(frozen=True, slots=True)
class NoticeRouting:
    """Who-notifies settings and what the notices need."""

    policy: Policy
    channels: frozenset[Channel]
    password: str = "auto"  # noqa: S105 (who notifies password changes, not a password)
    address: str = "auto"
    triggers: Callable[[], dict[str, bool] | None] = field(default=lambda: None)

    def notifier(self, kind: ChangeKind, triggers: dict[str, bool] | None) -> Notifier:
        """Who notifies a ``kind`` change, given Sonar's trigger states (``None``: unknown)."""
        setting = {ChangeKind.PASSWORD: self.password, ChangeKind.POSTAL_ADDRESS: self.address}
        trigger = SONAR_TRIGGERS.get(kind)
        enabled = triggers.get(trigger) if triggers is not None and trigger else None
        return decide_notifier(kind, setting=setting.get(kind, "auto"), trigger_enabled=enabled)


@dataclass(slots=True)
class Reconciliation:
    """What reconciling one account did: ``created``/``updated``/``unchanged``/``invalid``."""

    outcome: str
    changes: list[AccountChange] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass(slots=True)
class SyncReport:
    """What a sync run did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    changes: int = 0
    resumed: bool = False
    full: bool = False
    problems: list[str] = field(default_factory=list)


def load_cursor(session: Session, name: str) -> dict[str, Any]:
    """The named cursor's value (empty when never saved)."""
    row = session.get(SonarCursor, name)
    return dict(row.value) if row is not None else {}


def save_cursor(session: Session, name: str, value: dict[str, Any], *, now: datetime) -> None:
    """Store the named cursor in the caller's transaction."""
    row = session.get(SonarCursor, name)
    if row is None:
        session.add(SonarCursor(name=name, value=value, updated_at=now))
    else:
        row.value, row.updated_at = value, now


_MEDIA: tuple[tuple[type, ChangeKind], ...] = (
    (EmailAddress, ChangeKind.EMAIL_ADDRESS),
    (PhoneNumber, ChangeKind.PHONE_NUMBER_OF_RECORD),
    (PostalAddress, ChangeKind.POSTAL_ADDRESS),
)


def _value(row: Any) -> str:
    if isinstance(row, EmailAddress):
        return row.address
    if isinstance(row, PhoneNumber):
        return row.e164
    parts = (row.line1, row.line2, row.city, row.region, row.postal_code, row.country)
    return ", ".join(p for p in parts if p)


def _token(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:20]


def _contact_changes(
    upsert: AccountUpsert, account: SonarAccount, now: datetime
) -> list[AccountChange]:
    changes: list[AccountChange] = []
    for model, kind in _MEDIA:
        added = [r for r in upsert.added if isinstance(r, model)]
        retired = [r for r in upsert.retired if isinstance(r, model)]
        ids = sorted(r.id for r in (*added, *retired))
        news: list[str | None] = [_value(r) for r in added] or ([None] if retired else [])
        for n, new_value in enumerate(news):
            changes.append(_change(account, kind, now, _token(*ids, n), new_value))
    return changes


def _change(
    account: SonarAccount, kind: ChangeKind, now: datetime, token: str, new_value: str | None = None
) -> AccountChange:
    return AccountChange(
        kind=kind,
        account_number=account.id,
        occurred_at=now,
        source=_SOURCE,
        event_id=f"{account.id}:{kind}:{token}",
        actor="sonar",
        new_value=new_value,
    )


def reconcile(
    session: Session, account: SonarAccount, *, now: datetime, password_log: str | None = None
) -> Reconciliation:
    """Bring the directory in line with one Sonar account and list what really changed.

    Args:
        session: the open transaction.
        account: the account as just read from Sonar (never a webhook payload).
        now: the moment of the reconciliation (the changes' ``occurred_at``).
        password_log: the id of a Sonar log showing a contact password change, if one was seen.

    Returns:
        The outcome and the change events; a newly seen account yields none.
    """
    record = sonar_to_record(account)
    if isinstance(record, list):
        return Reconciliation("invalid", problems=[f"account {account.id}: {p}" for p in record])
    upsert = upsert_account(session, record, now=now, source=_SOURCE, external_id=account.id)
    session.flush()
    snapshot = session.get(SonarSnapshot, account.id)
    digest = online_account_digest(account)
    result = Reconciliation(upsert.outcome)
    if upsert.outcome != "created":
        result.changes = _contact_changes(upsert, account, now)
        if snapshot is not None and snapshot.logins_digest != digest:
            result.changes.append(_change(account, ChangeKind.ONLINE_ACCOUNT, now, digest[:20]))
            result.outcome = "updated"
        if password_log is not None:
            result.changes.append(_change(account, ChangeKind.PASSWORD, now, f"log{password_log}"))
            result.outcome = "updated"
    if snapshot is None:
        snapshot = SonarSnapshot(sonar_account_id=account.id)
        session.add(snapshot)
    snapshot.version, snapshot.logins_digest, snapshot.synced_at = account.version, digest, now
    return result


def announce(
    session: Session,
    changes: Sequence[AccountChange],
    *,
    routing: NoticeRouting,
    triggers: dict[str, bool] | None,
    now: datetime,
) -> dict[str, str]:
    """Record cpni-guard's notices for ``changes`` and audit who notifies each kind.

    Returns:
        change kind -> ``cpni_guard`` or ``sonar``.
    """
    decided: dict[str, str] = {}
    for change in changes:
        notifier = routing.notifier(change.kind, triggers)
        decided[str(change.kind)] = str(notifier)
        if notifier is Notifier.CPNI_GUARD:
            record_change(
                session, change, policy=routing.policy, now=now, channels=routing.channels
            )
    if changes:
        append(
            session,
            AuditEvent(
                occurred_at=now,
                actor="sonar",
                action=AuditAction.ACCOUNT_UPDATED,
                account_number=changes[0].account_number,
                outcome="changed",
                details={"source": _SOURCE, "notified_by": decided},
            ),
        )
    return decided


def refresh_account(
    session: Session,
    source: SonarSource,
    account_id: str,
    *,
    routing: NoticeRouting,
    now: datetime,
) -> Reconciliation | None:
    """Re-read one account from Sonar, reconcile it and announce its changes.

    Used by the webhook worker and the ``logs`` backstop: the webhook payload only says which
    account to look at, never what changed. Returns ``None`` when Sonar no longer shows it.
    """
    account = source.fetch_account(account_id)
    if account is None:
        return None
    snapshot = session.get(SonarSnapshot, account.id)
    password_log = None
    if snapshot is not None and account.contacts:
        contact_ids = [c.id for c in account.contacts]
        password_log = source.password_change(contact_ids, since=snapshot.synced_at)
    result = reconcile(session, account, now=now, password_log=password_log)
    if result.changes:
        announce(session, result.changes, routing=routing, triggers=routing.triggers(), now=now)
    return result


def _start_run(state: dict[str, Any], *, full: bool, now: datetime) -> tuple[dict[str, Any], bool]:
    run = state.get("run")
    if run and (run["full"] or not full):
        return dict(run), True
    watermark = state.get("watermark")
    full = full or watermark is None
    since = None if full else watermark
    return {"full": full, "since": since, "started_at": now.isoformat(), "after_id": None}, False


def sync_accounts(
    database: Database,
    source: SonarSource,
    *,
    routing: NoticeRouting,
    now: datetime,
    full: bool = False,
    page_size: int = 100,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> SyncReport:
    """Import Sonar accounts into the directory, one committed page at a time.

    The first run (or ``full``) reads every account; later runs only those changed since the
    previous run started (less :data:`SKEW`). Each page commits with the cursor, so a run
    interrupted by an error or Ctrl-C resumes after its last committed page.

    Args:
        progress: called with (accounts done, accounts in this run) after each page.
    """
    with database.transaction() as session:
        state = load_cursor(session, "sync")
    run, resumed = _start_run(state, full=full, now=now)
    report = SyncReport(resumed=resumed, full=bool(run["full"]))
    since = datetime.fromisoformat(run["since"]) - SKEW if run["since"] else None
    triggers = routing.triggers()
    done, total = 0, None
    for page in source.account_pages(since=since, after_id=run["after_id"], page_size=page_size):
        total = done + page.total if total is None else total
        with database.transaction() as session:
            for account in page.accounts:
                _sync_one(session, account, report, routing=routing, triggers=triggers, now=now)
            if page.accounts:
                run["after_id"] = page.accounts[-1].id
            save_cursor(session, "sync", {**state, "run": run}, now=now)
        done += len(page.accounts)
        progress(done, total)
    with database.transaction() as session:
        save_cursor(session, "sync", {"watermark": run["started_at"]}, now=now)
    return report


def _sync_one(
    session: Session,
    account: SonarAccount,
    report: SyncReport,
    *,
    routing: NoticeRouting,
    triggers: dict[str, bool] | None,
    now: datetime,
) -> None:
    result = reconcile(session, account, now=now)
    setattr(report, result.outcome, getattr(report, result.outcome) + 1)
    report.problems.extend(result.problems)
    if result.changes:
        report.changes += len(result.changes)
        announce(session, result.changes, routing=routing, triggers=triggers, now=now)
