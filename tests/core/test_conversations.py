"""Screening threads, the PIN gate and self-service links, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.domain.lock import LockState
from bot.domain.verification import LockedOut, Rejected, Verified
from bot.services import challenges, conversations
from bot.services.conversations import Message
from bot.services.pin_gate import submit_pin
from bot.storage.accounts import Account, Credential
from bot.storage.db import Database
from bot.storage.queues import OutboxItem
from bot.storage.records import AuditEventRow

from fakes import FakeVault, FrozenClock

KEY = "slack:T1/C1/1700000000.000100"


def _account(database: Database, number: str = "A-1001") -> None:
    moment = datetime(2020, 1, 1, tzinfo=UTC)
    with database.transaction() as session:
        session.add(
            Account(
                account_number=number,
                name="Dana",
                is_business=False,
                service_start=date(2020, 1, 1),
                status="active",
                source="test",
                created_at=moment,
                updated_at=moment,
            )
        )


def _screen(
    database: Database, clock: FrozenClock, *texts: tuple[str, str], **kw: object
) -> conversations.ScreenOutcome:
    messages = [
        Message(message_id=str(i), text=t, author_role=r, author_id=f"{r}-1")
        for i, (r, t) in enumerate(texts)
    ]
    with database.transaction() as session:
        return conversations.screen(
            session,
            key=KEY,
            surface="slack",
            messages=messages,
            now=clock(),
            detector=conversations.default_detector(),
            **kw,
        )  # type: ignore[arg-type]


def _effects(database: Database) -> list[str]:
    with database.transaction() as session:
        return list(session.scalars(select(OutboxItem.idempotency_key).order_by(OutboxItem.id)))


def _actions(database: Database) -> list[str]:
    with database.transaction() as session:
        return list(session.scalars(select(AuditEventRow.action).order_by(AuditEventRow.id)))


def test_a_benign_thread_stays_open_and_posts_nothing(
    database: Database, clock: FrozenClock
) -> None:
    """An outage callback with a phone number is not CPNI: no lock, no note (R1)."""
    out = _screen(database, clock, ("customer", "call me back at 555-201-3344 about the outage"))
    assert (out.view.state, out.newly_locked, out.changed) == (LockState.OPEN, False, False)
    assert _effects(database) == []


def test_a_call_detail_request_locks_once_and_queues_one_note(
    database: Database, clock: FrozenClock
) -> None:
    """A call-detail request locks the thread; screening it again changes nothing (R2, R6)."""
    first = _screen(database, clock, ("customer", "what number called me at 3am last night?"))
    again = _screen(database, clock, ("customer", "what number called me at 3am last night?"))
    assert first.newly_locked and first.view.state is LockState.LOCKED
    assert "call_detail" in first.view.categories and first.view.reasons
    assert (again.newly_locked, again.changed) == (False, False)
    assert _effects(database) == [f"{KEY}:sync:1"]
    assert _actions(database) == ["conversation_locked"]


def test_the_account_number_in_the_thread_is_linked_when_it_exists(
    database: Database, clock: FrozenClock
) -> None:
    """An account number that exists in the directory becomes the thread's account."""
    _account(database)
    out = _screen(database, clock, ("customer", "acct A-1001: list the calls on my bill please"))
    assert (out.account_hint, out.view.account_number) == ("A-1001", "A-1001")


def test_agent_disclosure_while_locked_and_pin_in_clear_are_flagged(
    database: Database, clock: FrozenClock
) -> None:
    """An agent stating call detail in a locked thread is audited (R27); a typed PIN is spotted."""
    _screen(database, clock, ("customer", "who called me yesterday?"))
    out = _screen(
        database,
        clock,
        ("customer", "who called me yesterday?"),
        ("agent", "You received a call from 212-555-0187 at 10:14pm lasting 12 minutes."),
        ("customer", "my pin is 4821"),
        new_message_ids={"1", "2"},
    )
    assert out.disclosed_while_locked == ("1",)
    assert out.pin_in_clear == ("2",)
    assert _actions(database)[-1] == "disclosed_while_locked"


def test_right_pin_unlocks_for_the_ttl_then_expiry_relocks(
    database: Database, clock: FrozenClock
) -> None:
    """Verified unlocks this thread for this account until the TTL; expiry locks it again (R17)."""
    _account(database)
    _screen(database, clock, ("customer", "A-1001 what calls were on my last bill?"))
    vault = FakeVault({"A-1001": "7302"}, clock=clock)
    result = submit_pin(
        database,
        vault,
        key=KEY,
        account_number="A-1001",
        pin="7302",
        actor="U-agent",
        method="agent",
        ttl_minutes=30,
        now=clock(),
    )
    assert isinstance(result.outcome, Verified)
    assert (result.view.state, result.view.verified_by) == (LockState.VERIFIED, "U-agent")
    clock.advance(minutes=31)
    with database.transaction() as session:
        expired = conversations.expire_due(session, now=clock())
    assert [v.state for v in expired] == [LockState.LOCKED]
    assert len(_effects(database)) == 3, "lock, verified and expired each re-render the note"


def test_wrong_pins_keep_it_challenged_then_lock_the_account_out(
    database: Database, clock: FrozenClock
) -> None:
    """Rejected leaves the thread challenged; the vault's lockout shows on every thread."""
    _account(database)
    _screen(database, clock, ("customer", "A-1001 how many minutes did I use in May?"))
    vault = FakeVault({"A-1001": "7302"}, limit=2, clock=clock)
    first = submit_pin(
        database,
        vault,
        key=KEY,
        account_number="A-1001",
        pin="0000",
        actor="U",
        method="agent",
        ttl_minutes=30,
        now=clock(),
    )
    second = submit_pin(
        database,
        vault,
        key=KEY,
        account_number="A-1001",
        pin="1111",
        actor="U",
        method="agent",
        ttl_minutes=30,
        now=clock(),
    )
    assert isinstance(first.outcome, Rejected) and first.view.state is LockState.CHALLENGED
    assert isinstance(second.outcome, LockedOut) and second.view.state is LockState.LOCKED_OUT


def test_supervisor_override_unlocks_with_reason(database: Database, clock: FrozenClock) -> None:
    """An override lifts the lock and records the supervisor and reason."""
    _screen(database, clock, ("customer", "what's on my bill this month, line by line?"))
    with database.transaction() as session:
        view = conversations.override(
            session, key=KEY, actor="S-boss", reason="court order on file", now=clock()
        )
    assert (view.state, view.verified_by) == (LockState.OVERRIDDEN, "S-boss")


def test_link_account_refuses_an_unknown_account(database: Database, clock: FrozenClock) -> None:
    """Linking to an account that is not in the directory fails and changes nothing."""
    _screen(database, clock, ("customer", "what calls did I make on the 3rd?"))
    with database.transaction() as session, pytest.raises(LookupError):
        conversations.link_account(
            session, key=KEY, surface="slack", account_number="NOPE-1", actor="U", now=clock()
        )


def test_a_self_service_link_works_once_and_never_stores_its_token(
    database: Database, clock: FrozenClock
) -> None:
    """A link verifies once; it is then used; only its hash is stored."""
    _account(database)
    _screen(database, clock, ("customer", "A-1001 send me my call log"))
    with database.transaction() as session:
        link = challenges.create_link(
            session, key=KEY, account_number=None, created_by="U", now=clock()
        )
    vault = FakeVault({"A-1001": "7302"}, clock=clock)
    token = link.path.removeprefix("/v/")
    with database.transaction() as session:
        status = challenges.inspect_link(session, token=token, now=clock())
    assert (status.state, status.attempts_left, status.account_number) == ("valid", 5, "A-1001")
    result = challenges.submit_link_pin(database, vault, token=token, pin="7302", now=clock())
    assert isinstance(result.outcome, Verified) and result.status.state == "used"
    assert (
        challenges.submit_link_pin(
            database, vault, token=token, pin="7302", now=clock()
        ).status.state
        == "used"
    )
    with database.transaction() as session:
        stored = session.execute(select(challenges.Challenge.token_hash)).scalar_one()
    assert token not in stored and len(stored) == 64


def test_a_link_expires_and_stops_after_five_tries(database: Database, clock: FrozenClock) -> None:
    """Five wrong submissions exhaust a link; an old link is expired; a bad token is unknown."""
    _account(database)
    _screen(database, clock, ("customer", "A-1001 what did I pay for roaming?"))
    with database.transaction() as session:
        link = challenges.create_link(
            session, key=KEY, account_number="A-1001", created_by="U", now=clock(), ttl_minutes=15
        )
    token = link.path.removeprefix("/v/")
    vault = FakeVault({"A-1001": "7302"}, limit=99, clock=clock)
    states = [
        challenges.submit_link_pin(
            database, vault, token=token, pin="0000", now=clock()
        ).status.state
        for _ in range(6)
    ]
    assert states == ["valid"] * 4 + ["exhausted", "exhausted"]
    assert len(vault.calls) == 5, "the sixth try never reached the vault"
    with database.transaction() as session:
        other = challenges.create_link(
            session, key=KEY, account_number="A-1001", created_by="U", now=clock(), ttl_minutes=15
        )
        clock.advance(minutes=16)
        expired = challenges.inspect_link(session, token=other.path[3:], now=clock())
        unknown = challenges.inspect_link(session, token="forged", now=clock())
    assert (expired.state, unknown.state) == ("expired", "unknown")


def test_locked_out_accounts_lists_timed_and_hard_lockouts(
    database: Database, clock: FrozenClock
) -> None:
    """Supervisors see accounts locked out now; a lapsed lockout is not listed."""
    for number in ("A-1", "A-2", "A-3"):
        _account(database, number)
    with database.transaction() as session:
        ids = {
            number: id_
            for number, id_ in session.execute(select(Account.account_number, Account.id))
        }
        session.add_all(
            [
                Credential(
                    account_id=ids["A-1"],
                    locked_until=clock() + timedelta(minutes=5),
                    updated_at=clock(),
                ),
                Credential(account_id=ids["A-2"], hard_locked=True, updated_at=clock()),
                Credential(
                    account_id=ids["A-3"],
                    locked_until=clock() - timedelta(minutes=1),
                    updated_at=clock(),
                ),
            ]
        )
    with database.transaction() as session:
        listed = conversations.locked_out_accounts(session, now=clock())
    assert listed == [("A-1", clock() + timedelta(minutes=5)), ("A-2", None)]
