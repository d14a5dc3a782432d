"""Account directory import: all-or-nothing validation, idempotent re-import, honest clocks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.domain.accounts import parse_record
from bot.services.account_import import import_accounts
from bot.storage.accounts import Account, EmailAddress, PhoneNumber, PostalAddress
from bot.storage.db import Database
from bot.storage.records import AuditEventRow

from fakes import FrozenClock

HEADER = (
    "account_number,name,is_business,service_start,status,service_numbers,contact_numbers,"
    "emails,service_address_line1,service_address_city,service_address_region,"
    "service_address_postal_code\n"
)
ROW_A = (
    "A-1001,Dana Whit,false,2021-04-01,active,(415) 555-0132,+1 212 555 0199,"
    "dana@example.com,12 Elm St,Springfield,IL,62704\n"
)
ROW_B = (
    "A-1002,Okafor Plumbing,true,,active,+14155550123;+14155550124,,billing@okafor.example,,,,\n"
)


def _write(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "accounts.csv"
    path.write_text(HEADER + "".join(rows))
    return path


def _counts(database: Database) -> tuple[int, int, int, int]:
    with database.transaction() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(t))
            for t in (Account, PhoneNumber, EmailAddress, PostalAddress)
        )


def test_a_valid_file_imports_every_account_with_normalised_contacts(
    database: Database, tmp_path: Path, clock: FrozenClock
) -> None:
    """Numbers become E.164, service numbers stay apart from contact numbers (R11)."""
    report = import_accounts(database, _write(tmp_path, ROW_A, ROW_B), now=clock())
    assert (report.applied, report.created, report.errors) == (True, 2, [])
    with database.transaction() as session:
        phones = session.execute(
            select(PhoneNumber.e164, PhoneNumber.kind).order_by(PhoneNumber.e164)
        ).all()
        business = session.scalar(
            select(Account.is_business).where(Account.account_number == "A-1002")
        )
    assert [tuple(p) for p in phones] == [
        ("+12125550199", "contact"),
        ("+14155550123", "service"),
        ("+14155550124", "service"),
        ("+14155550132", "service"),
    ]
    assert business is True


def test_reimporting_the_same_file_changes_nothing(
    database: Database, tmp_path: Path, clock: FrozenClock
) -> None:
    """A second import of an unchanged file reports every row unchanged and writes no contact."""
    path = _write(tmp_path, ROW_A, ROW_B)
    import_accounts(database, path, now=clock())
    before = _counts(database)
    clock.advance(days=3)
    report = import_accounts(database, path, now=clock())
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert _counts(database) == before


def test_a_changed_email_retires_the_old_one_and_keeps_other_clocks(
    database: Database, tmp_path: Path, clock: FrozenClock
) -> None:
    """Only the changed contact gets a new associated_since; the old one is retired (R24, R25)."""
    first = clock()
    import_accounts(database, _write(tmp_path, ROW_A), now=first)
    clock.advance(days=40)
    changed = ROW_A.replace("dana@example.com", "dana.w@example.org")
    report = import_accounts(database, _write(tmp_path, changed), now=clock())
    assert report.updated == 1
    with database.transaction() as session:
        emails = {
            e.address: (e.associated_since, e.retired_at)
            for e in session.scalars(select(EmailAddress))
        }
        phone_since = {p.associated_since for p in session.scalars(select(PhoneNumber))}
    assert emails == {
        "dana@example.com": (first, clock()),
        "dana.w@example.org": (clock(), None),
    }
    assert phone_since == {first}


def test_bad_rows_are_each_reported_and_nothing_is_imported(
    database: Database, tmp_path: Path, clock: FrozenClock
) -> None:
    """Every bad row is named by line with all its reasons, and the database is left unchanged."""
    bad_phone = ROW_B.replace("A-1002", "A-1003").replace("+14155550123", "555-CALL-NOW")
    bad_email = ROW_B.replace("A-1002", "A-1004").replace("billing@okafor.example", "not-an-email")
    dup = ROW_A.replace("Dana Whit", "Dana Again")
    path = _write(
        tmp_path, ROW_A, bad_phone, ",No Number,maybe,2030-01-01,gone,,,,,,,\n", bad_email, dup
    )
    report = import_accounts(database, path, now=clock())
    assert not report.applied
    assert [e.line for e in report.errors] == [3, 4, 5, 6]
    assert "service_numbers: entry 1 is not a valid telephone number" in report.errors[0].reasons
    assert len(report.errors[1].reasons) == 4  # number, is_business, status, future start
    assert any("emails: entry 1" in r for r in report.errors[2].reasons)
    assert report.errors[3].reasons == ("account_number repeats line 2",)
    assert _counts(database) == (0, 0, 0, 0)
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(AuditEventRow)) == 0


def test_skip_invalid_imports_the_good_rows(
    database: Database, tmp_path: Path, clock: FrozenClock
) -> None:
    """With skip_invalid, good rows land and bad ones are still reported."""
    path = _write(tmp_path, ROW_A, "A-9,,false,,active,,,,,,,\n")
    report = import_accounts(database, path, now=clock(), skip_invalid=True)
    assert (report.applied, report.created, [e.line for e in report.errors]) == (True, 1, [3])


def test_json_lines_with_nested_addresses_and_bad_json(
    database: Database, tmp_path: Path, clock: FrozenClock
) -> None:
    """JSON Lines rows may nest addresses; an unparsable line is reported with its number."""
    path = tmp_path / "accounts.jsonl"
    good = {
        "account_number": "B-1",
        "name": "Lee",
        "emails": ["LEE@Example.COM"],
        "mailing_address": {"line1": "PO Box 9", "city": "Austin", "postal_code": "78701"},
        "contacts_since": "2020-01-01",
    }
    path.write_text(json.dumps(good) + "\n{broken\n")
    report = import_accounts(database, path, now=clock())
    assert [e.line for e in report.errors] == [2]
    report = import_accounts(database, path, now=clock(), skip_invalid=True)
    with database.transaction() as session:
        email = session.scalars(select(EmailAddress)).one()
        address = session.scalars(select(PostalAddress)).one()
    assert email.address == "lee@example.com"
    assert email.associated_since.year == 2020, "contacts_since backdates a first import"
    assert (address.kind, address.country) == ("mailing", "US")


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"account_number": "x y", "name": "n"}, "account_number"),
        ({"account_number": "1", "name": ""}, "name: required"),
        ({"account_number": "1", "name": "n", "service_start": "03/04/2021"}, "service_start"),
        (
            {"account_number": "1", "name": "n", "service_address_line1": "1 A St"},
            "missing city, postal_code",
        ),
    ],
)
def test_parse_record_explains_each_problem(row: dict[str, str], reason: str) -> None:
    """Each field problem is reported with the field's name."""
    result = parse_record(row)
    assert isinstance(result, list)
    assert any(reason in r for r in result)
