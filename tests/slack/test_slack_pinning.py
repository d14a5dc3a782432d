"""CPNI_SLACK_PIN_NOTES: a new sticky note is pinned once, even through a 429 on pins.add."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fake_slack import FakeSlack
from slack_support import (
    CHANNEL,
    SlackClient,
    drain_until_done,
    key_of,
    make_container,
    message,
    outbox,
    serve_app,
    settings_env,
)

from bot.container import Container
from bot.services import conversations

from fakes import FrozenClock

SENSITIVE = "Caller wants to know what's on their latest bill and how much they owe"
THREAD = "1700007000.000100"


@pytest.fixture
def pinning(database_url: str, fake: FakeSlack, clock: FrozenClock) -> Iterator[Container]:
    """The bot with CPNI_SLACK_PIN_NOTES=true."""
    built = make_container(settings_env(database_url, fake.url, CPNI_SLACK_PIN_NOTES="true"), clock)
    yield built
    built.database.dispose()


@pytest.fixture
def pin_client(pinning: Container, fake: FakeSlack) -> Iterator[SlackClient]:
    """Signed requests to the pinning bot."""
    with serve_app(pinning) as url:
        client = SlackClient(url, fake)
        yield client
        client.http.close()


def test_a_new_note_is_pinned_once_and_later_updates_do_not_pin_again(
    pin_client: SlackClient, pinning: Container, fake: FakeSlack, clock: FrozenClock
) -> None:
    """pins.add runs once for the posted note; a chat.update of the note pins nothing."""
    pin_client.event(message(SENSITIVE, ts=THREAD))
    drain_until_done(pinning, clock)
    (note,) = fake.bot_messages()
    assert fake.pins == {(CHANNEL, note["ts"])}
    with pinning.database.transaction() as session:
        conversations.override(
            session, key=key_of(THREAD), actor="slack:USUPER1", reason="test", now=clock()
        )
    drain_until_done(pinning, clock)
    assert fake.calls_of("chat.update", ok=True)
    assert len(fake.calls_of("pins.add")) == 1


def test_a_429_on_pins_add_is_retried_after_retry_after_without_a_second_pin(
    pin_client: SlackClient, pinning: Container, fake: FakeSlack, clock: FrozenClock
) -> None:
    """The refused pin waits for Retry-After, then pins the same note exactly once."""
    fake.fail("pins.add", status=429, retry_after=20, times=1)
    pin_client.event(message(SENSITIVE, ts=THREAD))
    pinning.new_worker().run_until_idle()
    (pin,) = [o for o in outbox(pinning) if o.kind == "slack.pin"]
    assert pin.state == "pending"
    assert (pin.available_at - clock()).total_seconds() >= 20  # Retry-After honoured
    drain_until_done(pinning, clock)
    (note,) = fake.bot_messages()
    assert fake.pins == {(CHANNEL, note["ts"])}
    assert len(fake.calls_of("pins.add", ok=True)) == 1
    assert len(fake.calls_of("pins.add", ok=False)) == 1
    assert len(fake.calls_of("chat.postMessage")) == 1


def test_notes_are_not_pinned_unless_configured(
    slack: SlackClient, container: Container, fake: FakeSlack, clock: FrozenClock
) -> None:
    """Without CPNI_SLACK_PIN_NOTES the note is posted and never pinned."""
    slack.event(message(SENSITIVE, ts=THREAD))
    drain_until_done(container, clock)
    assert len(fake.bot_messages()) == 1
    assert fake.calls_of("pins.add") == [] and fake.pins == set()
