"""Socket Mode over a real WebSocket: hello, an events_api envelope, the ACK, one sticky note."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest
from fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack, serve_fake_socket_mode
from slack_support import (
    event_callback,
    inbox_count,
    key_of,
    make_container,
    message,
    serve_app,
    settings_env,
)

from bot.container import Container
from bot.services import conversations

from fakes import FrozenClock

SENSITIVE = "Caller wants to know what's on their latest bill and how much they owe"
THREAD = "1700004000.000100"


@pytest.fixture
def socket_container(database_url: str, fake: FakeSlack, clock: FrozenClock) -> Iterator[Container]:
    """The bot as `cpni-guard serve --slack-socket-mode` builds it, with SLACK_APP_TOKEN."""
    built = make_container(settings_env(database_url, fake.url, SLACK_APP_TOKEN=APP_TOKEN), clock)
    built.options["slack_socket_mode"] = True
    yield built
    built.database.dispose()


def test_a_socket_mode_event_is_acked_after_commit_and_gets_exactly_one_note(
    socket_container: Container,
    fake: FakeSlack,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The app connects with the app token, ACKs each envelope after the inbox commit (R6)."""
    caplog.set_level(logging.DEBUG)
    event = message(SENSITIVE, ts=THREAD)
    with serve_fake_socket_mode(fake) as socket:
        first = socket.send_event(event_callback(event, event_id="EvSOCKET1"))
        with serve_app(socket_container):
            assert socket.wait_for_ack(first)
            assert inbox_count(socket_container) == 1  # committed before the ACK went out
            again = socket.send_event(event_callback(event, event_id="EvSOCKET1"), retry_attempt=1)
            mention = socket.send_event(
                event_callback(dict(event, type="app_mention"), event_id="EvSOCKET2")
            )
            assert socket.wait_for_ack(again) and socket.wait_for_ack(mention)
        assert socket.connections == 1
        assert socket.sent[0]["envelope_id"] == first
    assert inbox_count(socket_container) == 1  # the redelivery and the mention were dropped
    (opened,) = fake.calls_of("apps.connections.open")
    assert opened.token == APP_TOKEN and opened.error is None

    socket_container.new_worker().run_until_idle()
    notes = fake.bot_messages()
    assert len(notes) == 1 and notes[0]["thread_ts"] == THREAD
    assert all(c.token == BOT_TOKEN for c in fake.calls_of("chat.postMessage"))
    with socket_container.database.transaction() as session:
        view = conversations.get_view(session, key_of(THREAD))
    assert view is not None and view.is_locked and view.note_ref == notes[0]["ts"]
    assert SENSITIVE not in caplog.text and APP_TOKEN not in caplog.text


def test_socket_mode_does_not_hold_up_the_web_app_when_slack_is_unreachable(
    socket_container: Container, fake: FakeSlack
) -> None:
    """With no Socket Mode endpoint to reach, the web app still starts and answers."""
    fake.socket_url = "ws://127.0.0.1:9/unreachable"
    with serve_app(socket_container) as url:
        assert httpx.get(url + "/healthz", timeout=5).status_code == 200
