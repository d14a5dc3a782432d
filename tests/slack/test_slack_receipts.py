"""Message receipts (the app_mention + message de-duplication) are purged after a day."""

from __future__ import annotations

from fake_slack import TEAM
from slack_support import CHANNEL, SlackClient, message
from sqlalchemy import select

from bot.container import Container
from bot.storage.slack import SlackMessageReceipt
from handlers.slack.ingest import purge_receipts

from fakes import FrozenClock


def _receipts(container: Container) -> set[str]:
    with container.database.transaction() as session:
        return set(session.scalars(select(SlackMessageReceipt.ts)))


def test_the_worker_purges_receipts_older_than_a_day_and_keeps_newer_ones(
    slack: SlackClient, container: Container, clock: FrozenClock
) -> None:
    """The periodic job deletes day-old receipts only; recent ones still stop double delivery."""
    slack.event(message("hello there", ts="1700008000.000100"))
    clock.advance(hours=23)
    slack.event(message("hello again", ts="1700008000.000200"))
    assert _receipts(container) == {"1700008000.000100", "1700008000.000200"}
    clock.advance(hours=2)  # the first is now 25 h old, the second 2 h
    container.new_worker().run_until_idle()
    assert _receipts(container) == {"1700008000.000200"}
    again = message("hello again", ts="1700008000.000200")
    assert slack.event(dict(again, type="app_mention")).status_code == 200
    with container.database.transaction() as session:
        assert purge_receipts(session, clock()) == 0


def test_the_purge_job_is_registered_on_the_worker(container: Container) -> None:
    """register() adds the purge as a periodic job that runs at least hourly."""
    seconds, job = container.registry.periodic["slack.purge_receipts"]
    assert job is purge_receipts and seconds <= 3600
    assert TEAM and CHANNEL  # the receipts above were keyed on this team and channel
