"""record_change inside a caller's transaction: committed with the change or not at all (R20)."""

from __future__ import annotations

import pytest
from notify_fixtures import seed_account
from sqlalchemy import func, select

from bot.domain.notifications import AccountChange, ChangeKind, NoticeReason, NoticeState
from bot.policy import Policy
from bot.services.notices import record_change, resend_notice
from bot.storage.db import Database
from bot.storage.notices import Notice
from bot.storage.queues import OutboxItem

from fakes import FrozenClock


def _change(clock: FrozenClock, **kw: object) -> AccountChange:
    base: dict[str, object] = {
        "kind": ChangeKind.PIN,
        "account_number": "A-1",
        "occurred_at": clock(),
        "source": "pin_vault",
        "event_id": "enrol-1",
        "actor": "agent-7",
    }
    return AccountChange(**(base | kw))  # type: ignore[arg-type]


def test_a_rolled_back_change_leaves_no_notice(database: Database, clock: FrozenClock) -> None:
    """If the caller's transaction fails after record_change, neither notice nor effect remains."""
    seed_account(database, "A-1", now=clock(), emails=(("pat@example.com", 400),))

    class ChangeFailedError(Exception):
        pass

    with pytest.raises(ChangeFailedError), database.transaction() as session:
        record_change(session, _change(clock), policy=Policy(), now=clock())
        raise ChangeFailedError
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Notice)) == 0
        assert session.scalar(select(func.count()).select_from(OutboxItem)) == 0


def test_an_unknown_account_is_handed_to_staff(database: Database, clock: FrozenClock) -> None:
    """A change for an account not in the directory is kept and shown to staff, not dropped."""
    with database.transaction() as session:
        decision = record_change(session, _change(clock), policy=Policy(), now=clock())
    assert (decision.state, decision.reason) == (
        NoticeState.PENDING_STAFF,
        NoticeReason.UNKNOWN_ACCOUNT,
    )


def test_resend_never_picks_the_new_value_remembered_by_row(
    database: Database, clock: FrozenClock
) -> None:
    """A resend still avoids the contact that matched the new value, though the value is gone."""
    seed_account(
        database, "A-1", now=clock(), emails=(("new@example.com", 400), ("old@example.com", 300))
    )
    change = _change(clock, kind=ChangeKind.EMAIL_ADDRESS, new_value="new@example.com")
    with database.transaction() as session:
        first = record_change(session, change, policy=Policy(), now=clock())
        notice = session.get(Notice, first.notice_id)
        assert notice is not None
        notice.state = NoticeState.FAILED
        first_destination = notice.destination_id
        again = resend_notice(session, first.notice_id, policy=Policy(), now=clock(), actor="ops")
        assert again is not None and again.state is NoticeState.QUEUED
        assert notice.destination_id == first_destination
        assert notice.excluded_contact_ids is not None
        assert str(first_destination) not in notice.excluded_contact_ids.split(",")
