"""``cpni-guard accounts import``: load the account directory from CSV or JSON Lines.

The whole file is validated first. A file with bad rows imports nothing (each bad row is
reported with its line number and why) unless ``skip_invalid`` is set. Re-importing the same
file changes nothing; a changed row updates in place, and a contact that did not change keeps
its ``associated_since`` (its 30-day clock, R10/R25). A removed contact is retired, not deleted,
so change notices can still reach the prior contact of record (R24).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.domain.accounts import AccountRecord, Address, parse_record
from bot.domain.audit import AuditAction, AuditEvent
from bot.storage.accounts import Account, EmailAddress, PhoneNumber, PostalAddress
from bot.storage.audit_log import append
from bot.storage.db import Database

__all__ = [
    "AccountUpsert",
    "ImportReport",
    "RowError",
    "import_accounts",
    "read_rows",
    "upsert_account",
]


@dataclass(frozen=True, slots=True)
class RowError:
    """A row that could not be imported: where it is and every reason."""

    line: int
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return f"line {self.line}: " + "; ".join(self.reasons)


@dataclass(slots=True)
class ImportReport:
    """What an import did (or, with errors and no ``skip_invalid``, would not do)."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """Yield ``(line, row)`` from a ``.csv`` or ``.jsonl``/``.json`` file.

    A row that cannot be read at all is yielded as an error string instead of a mapping.
    """
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            for row in reader:
                if None in row:
                    yield reader.line_num, "more fields than the header has columns"
                else:
                    yield reader.line_num, {k: v for k, v in row.items() if k is not None}
        return
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                yield line_no, f"not valid JSON ({exc.msg} at column {exc.colno})"
                continue
            yield (line_no, value) if isinstance(value, dict) else (line_no, "not a JSON object")


def _validate(
    rows: Iterable[tuple[int, dict[str, Any] | str]], *, default_region: str, report: ImportReport
) -> list[AccountRecord]:
    records: list[AccountRecord] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        report.rows += 1
        parsed = [row] if isinstance(row, str) else parse_record(row, default_region=default_region)
        if isinstance(parsed, list):
            report.errors.append(RowError(line, tuple(parsed)))
            continue
        if parsed.account_number in seen:
            reason = f"account_number repeats line {seen[parsed.account_number]}"
            report.errors.append(RowError(line, (reason,)))
            continue
        seen[parsed.account_number] = line
        records.append(parsed)
    return records


def _sync_contacts(
    current: list[Any],
    wanted: dict[tuple[Any, ...], Any],
    *,
    key: Callable[[Any], tuple[Any, ...]],
    build: Callable[[Any], Any],
    now: datetime,
) -> tuple[list[Any], list[Any]]:
    """Retire contacts no longer wanted; build the new ones. Returns (new rows, retired rows)."""
    active = {key(row): row for row in current if row.retired_at is None}
    retired = [row for k, row in active.items() if k not in wanted]
    for row in retired:
        row.retired_at = now
    new_rows = [build(spec) for k, spec in wanted.items() if k not in active]
    return new_rows, retired


def _address_key(a: PostalAddress | Address) -> tuple[Any, ...]:
    return (a.kind, a.line1, a.line2, a.city, a.region, a.postal_code, a.country)


@dataclass(frozen=True, slots=True)
class AccountUpsert:
    """What :func:`upsert_account` did to one account.

    Attributes:
        outcome: ``created``, ``updated`` or ``unchanged``.
        account: the directory row.
        retired: contact rows (email, phone, postal) retired by this upsert.
        added: contact rows added by this upsert (their ``associated_since`` is ``now``).
    """

    outcome: str
    account: Account
    retired: tuple[EmailAddress | PhoneNumber | PostalAddress, ...] = ()
    added: tuple[EmailAddress | PhoneNumber | PostalAddress, ...] = ()


def _apply(session: Session, record: AccountRecord, *, now: datetime) -> str:
    return upsert_account(session, record, now=now).outcome


def upsert_account(
    session: Session,
    record: AccountRecord,
    *,
    now: datetime,
    source: str = "import",
    external_id: str | None = None,
) -> AccountUpsert:
    """Create or update one account and its contacts in the caller's transaction.

    An unchanged contact keeps its ``associated_since`` (its 30-day clock, R10/R25); a value
    seen for the first time starts its clock at ``now`` (or at ``contacts_since`` when the
    account is new); a contact no longer present is retired, not deleted (R24).

    Args:
        session: the open transaction.
        record: the validated record.
        now: the moment of the upsert.
        source: who owns the row (``import``, ``sonar``); set when the account is created.
        external_id: the account's id in its system of record, if any.

    Returns:
        The outcome and the contact rows retired and added.
    """
    account = session.scalars(
        select(Account)
        .where(Account.account_number == record.account_number)
        .options(
            selectinload(Account.phones),
            selectinload(Account.emails),
            selectinload(Account.addresses),
        )
    ).one_or_none()
    created = account is None
    if account is None:
        account = Account(
            account_number=record.account_number,
            source=source,
            external_id=external_id,
            created_at=now,
        )
        session.add(account)
    since = (record.contacts_since or now) if created else now
    fields = {
        "name": record.name,
        "is_business": record.is_business,
        "service_start": record.service_start,
        "status": record.status,
    }
    changed = any(getattr(account, k) != v for k, v in fields.items())
    for k, v in fields.items():
        setattr(account, k, v)
    phones = [(n, "service") for n in record.service_numbers]
    phones += [(n, "contact") for n in record.contact_numbers]
    new_phones, old_phones = _sync_contacts(
        account.phones,
        {p: p for p in phones},
        key=lambda p: (p.e164, p.kind),
        now=now,
        build=lambda p: PhoneNumber(e164=p[0], kind=p[1], associated_since=since),
    )
    new_emails, old_emails = _sync_contacts(
        account.emails,
        {(e,): e for e in record.emails},
        key=lambda e: (e.address,),
        now=now,
        build=lambda e: EmailAddress(address=e, associated_since=since),
    )
    new_addresses, old_addresses = _sync_contacts(
        account.addresses,
        {_address_key(a): a for a in record.addresses},
        key=_address_key,
        now=now,
        build=lambda a: PostalAddress(
            kind=a.kind,
            line1=a.line1,
            line2=a.line2,
            city=a.city,
            region=a.region,
            postal_code=a.postal_code,
            country=a.country,
            associated_since=since,
        ),
    )
    account.phones.extend(new_phones)
    account.emails.extend(new_emails)
    account.addresses.extend(new_addresses)
    retired = (*old_emails, *old_phones, *old_addresses)
    added = (*new_emails, *new_phones, *new_addresses)
    if created:
        account.updated_at = now
        return AccountUpsert("created", account, retired, added)
    if changed or retired or added:
        account.updated_at = now
        return AccountUpsert("updated", account, retired, added)
    return AccountUpsert("unchanged", account)


def import_accounts(
    database: Database,
    path: Path,
    *,
    now: datetime,
    skip_invalid: bool = False,
    default_region: str = "US",
    actor: str = "cli",
    progress: Callable[[Iterable[AccountRecord]], Iterable[AccountRecord]] = lambda it: it,
) -> ImportReport:
    """Validate ``path`` completely, then import it in one transaction.

    Returns:
        The report. ``applied`` is False when bad rows stopped the import.
    """
    report = ImportReport()
    records = _validate(read_rows(path), default_region=default_region, report=report)
    if report.errors and not skip_invalid:
        return report
    with database.transaction() as session:
        for record in progress(records):
            outcome = _apply(session, record, now=now)
            setattr(report, outcome, getattr(report, outcome) + 1)
        append(
            session,
            AuditEvent(
                occurred_at=now,
                actor=actor,
                action=AuditAction.ACCOUNT_IMPORTED,
                outcome="applied",
                details={
                    "rows": report.rows,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "skipped": len(report.errors),
                },
            ),
        )
    report.applied = True
    return report
