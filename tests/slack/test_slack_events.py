"""Events over real HTTP: signatures, the inbox before the ack, redeliveries, edits, deletions."""

from __future__ import annotations

import time

from fake_slack import FakeSlack
from slack_support import SIGNING_SECRET, SlackClient, edited, key_of, message
from sqlalchemy import func, select

from bot.container import Container
from bot.services import conversations
from bot.storage.queues import InboxItem

SENSITIVE = "Caller wants to know what's on their latest bill and how much they owe"


def _drain(container: Container) -> None:
    container.new_worker().run_until_idle()


def _inbox_count(container: Container) -> int:
    with container.database.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(InboxItem)) or 0)


def test_unsigned_badly_signed_and_stale_requests_get_401_and_change_nothing(
    slack: SlackClient, container: Container
) -> None:
    """Only requests signed with the signing secret within five minutes are accepted."""
    body = '{"type":"event_callback","event_id":"Ev1","team_id":"T0CPNI","event":{}}'
    ct = "application/json"
    assert slack.post(body, content_type=ct, sign=False).status_code == 401
    assert slack.post(body, content_type=ct, signature="v0=" + "0" * 64).status_code == 401
    stale = int(time.time()) - 600
    assert slack.post(body, content_type=ct, timestamp=stale).status_code == 401
    wrong = slack.verifier.__class__(SIGNING_SECRET + "x").generate_signature(
        timestamp=str(int(time.time())), body=body
    )
    assert slack.post(body, content_type=ct, signature=wrong).status_code == 401
    assert _inbox_count(container) == 0


def test_a_sensitive_thread_gets_exactly_one_note_despite_three_redeliveries(
    slack: SlackClient, container: Container, fake: FakeSlack
) -> None:
    """Slack's retries (same event_id) and the app_mention double delivery store one item (R6)."""
    event = message(SENSITIVE, ts="1700000100.000100")
    for retry in (None, 1, 2, 3):
        assert slack.event(event, event_id="EvSAME", retry=retry).status_code == 200
    mention = dict(event, type="app_mention")
    assert slack.event(mention, event_id="EvMENTION").status_code == 200
    assert _inbox_count(container) == 1
    _drain(container)
    notes = fake.bot_messages()
    assert len(notes) == 1
    assert notes[0]["thread_ts"] == "1700000100.000100"
    texts = str(notes[0]["blocks"])
    assert "Verify PIN" in texts and "usage and bill contents" in texts
    with container.database.transaction() as session:
        view = conversations.get_view(session, key_of("1700000100.000100"))
    assert view is not None and view.is_locked and view.note_ref == notes[0]["ts"]


def test_an_edit_that_adds_cpni_locks_the_thread(
    slack: SlackClient, container: Container, fake: FakeSlack
) -> None:
    """message_changed re-scans the new text; a harmless message edited into CPNI locks."""
    slack.event(message("Thanks, looking into it now", ts="1700000200.000100"))
    _drain(container)
    assert fake.bot_messages() == []
    slack.event(edited(SENSITIVE, ts="1700000200.000100"))
    _drain(container)
    assert len(fake.bot_messages()) == 1
    with container.database.transaction() as session:
        view = conversations.get_view(session, key_of("1700000200.000100"))
    assert view is not None and view.is_locked


def test_the_bots_own_messages_and_note_edits_are_ignored(
    slack: SlackClient, container: Container
) -> None:
    """Messages and edits by the bot itself never reach the inbox."""
    own = dict(message(SENSITIVE, ts="1700000300.000100", user="UBOT"), bot_id="BBOT")
    assert slack.event(own).status_code == 200
    own_edit = edited(SENSITIVE, ts="1700000300.000100", user="UBOT")
    own_edit["message"]["bot_id"] = "BBOT"
    assert slack.event(own_edit).status_code == 200
    assert _inbox_count(container) == 0


def test_a_deleted_note_is_posted_again_and_the_lock_stays(
    slack: SlackClient, container: Container, fake: FakeSlack
) -> None:
    """Deleting the sticky note does not unlock the thread: the bot posts the note again."""
    slack.event(message(SENSITIVE, ts="1700000400.000100"))
    _drain(container)
    (note,) = fake.bot_messages()
    deleted = {
        "type": "message",
        "subtype": "message_deleted",
        "channel": "C0SUPPORT",
        "hidden": True,
        "deleted_ts": note["ts"],
        "ts": "1700000499.000001",
        "previous_message": {
            "type": "message",
            "ts": note["ts"],
            "user": "UBOT",
            "thread_ts": "1700000400.000100",
            "bot_id": "BBOT",
        },
    }
    fake.messages.pop(("C0SUPPORT", note["ts"]))
    assert slack.event(deleted).status_code == 200
    _drain(container)
    notes = fake.bot_messages()
    assert len(notes) == 1 and notes[0]["ts"] != note["ts"]
    with container.database.transaction() as session:
        view = conversations.get_view(session, key_of("1700000400.000100"))
    assert view is not None and view.is_locked and view.note_ref == notes[0]["ts"]


def test_an_agent_disclosing_cpni_while_locked_gets_an_ephemeral_warning(
    slack: SlackClient, container: Container, fake: FakeSlack
) -> None:
    """A disclosure in a locked thread warns its author only and is audited (R27)."""
    slack.event(message(SENSITIVE, ts="1700000500.000100"))
    _drain(container)
    slack.event(
        message(
            "Your last bill was $84.12 and you called 555-201-3344 on March 3",
            ts="1700000500.000200",
            thread_ts="1700000500.000100",
        )
    )
    slack.event(message("pin 482915", ts="1700000500.000300", thread_ts="1700000500.000100"))
    _drain(container)
    warnings = fake.calls_of("chat.postEphemeral", ok=True)
    texts = [c.params["text"] for c in warnings]
    assert any("possible disclosure" in t for t in texts)
    assert any("PIN typed in the clear" in t for t in texts)
    assert all(c.params["user"] == "UAGENT1" for c in warnings)
