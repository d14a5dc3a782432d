"""Outbound calls through the outbox: 429 storms and 5xx delay but never duplicate or lose."""

from __future__ import annotations

from fake_slack import FakeSlack
from slack_support import SlackClient, key_of, message, outbox

from bot.container import Container
from bot.services import conversations

from fakes import FrozenClock

SENSITIVE = "Caller wants to know what's on their latest bill and how much they owe"


def _drain_until_done(container: Container, clock: FrozenClock, *, rounds: int = 30) -> None:
    worker = container.new_worker()
    for _ in range(rounds):
        worker.run_until_idle()
        if all(o.state == "done" for o in outbox(container)):
            return
        clock.advance(seconds=120)  # let every retry's Retry-After / backoff pass


def test_a_429_storm_delays_but_never_duplicates_or_loses_the_note(
    slack: SlackClient, container: Container, fake: FakeSlack, clock: FrozenClock
) -> None:
    """Every 429 is retried after Retry-After; exactly one note is posted in the end."""
    fake.fail("chat.postMessage", status=429, retry_after=30, times=5)
    slack.event(message(SENSITIVE, ts="1700002000.000100"))
    worker = container.new_worker()
    worker.run_until_idle()
    assert fake.bot_messages() == []
    (note_effect,) = [o for o in outbox(container) if o.kind == "slack.sync_note"]
    assert note_effect.state == "pending"
    assert (note_effect.available_at - clock()).total_seconds() >= 30  # Retry-After honoured
    _drain_until_done(container, clock)
    assert len(fake.bot_messages()) == 1
    assert len(fake.calls_of("chat.postMessage", ok=True)) == 1
    assert len(fake.calls_of("chat.postMessage", ok=False)) == 5


def test_a_500_after_slack_posted_is_recovered_without_a_second_note(
    slack: SlackClient, container: Container, fake: FakeSlack, clock: FrozenClock
) -> None:
    """An ambiguous failure is resolved by finding the posted note by its metadata."""
    fake.post_before_500 = True
    fake.fail("chat.postMessage", status=500, retry_after=None, times=1)
    slack.event(message(SENSITIVE, ts="1700002100.000100"))
    _drain_until_done(container, clock)
    notes = fake.bot_messages()
    assert len(notes) == 1
    with container.database.transaction() as session:
        view = conversations.get_view(session, key_of("1700002100.000100"))
    assert view is not None and view.note_ref == notes[0]["ts"]


def test_updates_during_a_429_storm_converge_on_the_newest_state(
    slack: SlackClient, container: Container, fake: FakeSlack, clock: FrozenClock
) -> None:
    """chat.update retries render the current view, so the note ends in the latest state."""
    slack.event(message(SENSITIVE, ts="1700002200.000100"))
    container.new_worker().run_until_idle()
    fake.fail("chat.update", status=429, retry_after=10, times=4)
    slack.command("lock")  # no state change expected: already locked
    with container.database.transaction() as session:
        conversations.override(
            session,
            key=key_of("1700002200.000100"),
            actor="slack:USUPER1",
            reason="test",
            now=clock(),
        )
    _drain_until_done(container, clock)
    (note,) = fake.bot_messages()
    assert "Unlocked by supervisor" in str(note["blocks"])
