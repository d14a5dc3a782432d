"""Account sync from Sonar: first run, incremental runs, honest 30-day clocks, resumption."""

from __future__ import annotations

import pytest
from fake_sonar import FakeSonar, seed_accounts
from sonar_support import make_gateway
from sqlalchemy import select

from bot.container import Container
from bot.errors import RetryLaterError
from bot.services.sonar_sync import load_cursor, sync_accounts
from bot.storage.accounts import Account, EmailAddress, PhoneNumber, PostalAddress
from bot.storage.notices import Notice
from handlers.sonar.worker import routing_for

from fakes import FrozenClock

ADDRESS = {"line1": "1 Pine St", "city": "Seattle", "subdivision": "US_WA", "zip": "98101"}


def _sync(container: Container, sonar: FakeSonar, clock: FrozenClock, **kw: object):
    gateway = make_gateway(sonar)
    return sync_accounts(
        container.database,
        gateway,
        routing=routing_for(container, gateway),
        now=clock(),
        page_size=2,
        **kw,  # type: ignore[arg-type]
    )


def _emails(container: Container, number: str) -> list[EmailAddress]:
    with container.database.transaction() as session:
        account = session.scalars(select(Account).where(Account.account_number == number)).one()
        return list(account.emails)


def test_first_sync_imports_accounts_contacts_addresses_and_status(
    container: Container, sonar: FakeSonar, clock: FrozenClock
) -> None:
    """The first run reads every account, page by page, with contacts, addresses and status."""
    first = sonar.data.add_account(
        "Pat Doe", email="pat@example.net", phone="+12065550123", address=ADDRESS
    )
    sonar.data.add_account("Lee Roe", email="lee@example.net", status_id="2")
    list(seed_accounts(sonar.data, 3))
    report = _sync(container, sonar, clock)
    assert (report.full, report.created, report.updated, report.invalid) == (True, 5, 0, 0)
    with container.database.transaction() as session:
        pat = session.scalars(select(Account).where(Account.account_number == first)).one()
        assert (pat.source, pat.external_id, pat.status) == ("sonar", first, "active")
        assert [e.address for e in pat.emails] == ["pat@example.net"]
        assert [(p.e164, p.kind) for p in pat.phones] == [("+12065550123", "contact")]
        assert [(a.kind, a.region) for a in pat.addresses] == [("service", "WA")]
        statuses = dict(session.execute(select(Account.name, Account.status)).all())
        assert statuses["Lee Roe"] == "suspended"
        assert session.scalars(select(Notice)).all() == []  # nothing notifies on first sight


def test_incremental_sync_reads_only_changes_and_keeps_unchanged_clocks(
    container: Container, sonar: FakeSonar, clock: FrozenClock
) -> None:
    """An unchanged value keeps associated_since; a new one starts its clock (R10, R25)."""
    pat = sonar.data.add_account("Pat Doe", email="pat@example.net", phone="+12065550123")
    sonar.data.add_account("Lee Roe", email="lee@example.net")
    clock.advance(minutes=10)  # Sonar wrote them a while before the first run
    _sync(container, sonar, clock)
    first_seen = clock()
    clock.advance(days=40)
    quiet = _sync(container, sonar, clock)
    assert (quiet.full, quiet.created, quiet.updated, quiet.unchanged) == (False, 0, 0, 0)
    clock.advance(minutes=30)
    sonar.data.update_contact(
        sonar.data.primary_contact(pat)["id"], email_address="new@example.net"
    )
    report = _sync(container, sonar, clock)
    assert (report.updated, report.unchanged, report.changes) == (1, 0, 1)
    emails = {e.address: e for e in _emails(container, pat)}
    assert emails["pat@example.net"].retired_at == clock()
    assert emails["new@example.net"].associated_since == clock()
    with container.database.transaction() as session:
        phone = session.scalars(select(PhoneNumber)).one()
        assert phone.associated_since == first_seen and phone.retired_at is None


def test_an_interrupted_sync_resumes_after_its_last_committed_page(
    container: Container, sonar: FakeSonar, clock: FrozenClock
) -> None:
    """A failure mid-run keeps the pages done; the next run continues from the cursor."""
    list(seed_accounts(sonar.data, 5))
    sonar.fail_next = [None, None, 500, 500, 500, 500, 500]  # triggers, page 1, then down
    with pytest.raises(RetryLaterError):
        _sync(container, sonar, clock)
    with container.database.transaction() as session:
        assert len(session.scalars(select(Account)).all()) == 2
        assert load_cursor(session, "sync")["run"]["after_id"] is not None
    sonar.fail_next = []
    report = _sync(container, sonar, clock)
    assert (report.resumed, report.created) == (True, 3)
    with container.database.transaction() as session:
        assert len(session.scalars(select(Account)).all()) == 5
        assert "run" not in load_cursor(session, "sync")


def test_an_address_change_retires_the_old_address(
    container: Container, sonar: FakeSonar, clock: FrozenClock
) -> None:
    """A changed Sonar address retires the old postal address and adds the new one (R24)."""
    pat = sonar.data.add_account("Pat Doe", email="pat@example.net", address=ADDRESS)
    _sync(container, sonar, clock)
    clock.advance(days=31)
    row = next(a for a in sonar.data.tables["addresses"].values() if a["addressable_id"] == pat)
    row.update(line1="9 Elm St", updated_at=clock().isoformat())
    report = _sync(container, sonar, clock)
    assert report.changes == 1
    with container.database.transaction() as session:
        rows = session.scalars(select(PostalAddress)).all()
        assert sorted((r.line1, r.retired_at is None) for r in rows) == [
            ("1 Pine St", False),
            ("9 Elm St", True),
        ]
