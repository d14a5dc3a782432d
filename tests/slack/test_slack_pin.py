"""The PIN modal, secure links, /cpni and supervisor unlock, driven over signed HTTP."""

from __future__ import annotations

import json
import threading
import time

import pytest
from fake_slack import FakeSlack
from slack_support import (
    ACCOUNT,
    PIN,
    SUPERVISOR,
    SlackClient,
    key_of,
    message,
    seed_account,
)

from bot.container import Container
from bot.domain.lock import LockState
from bot.services import conversations
from handlers.slack import listeners
from handlers.slack.runtime import runtime_for

from fakes import FrozenClock

SENSITIVE = "Caller wants to know what's on their latest bill and how much they owe"
THREAD = "1700001000.000100"


def _locked_thread(slack: SlackClient, container: Container, clock: FrozenClock) -> str:
    seed_account(container, now=clock())
    slack.event(message(f"{SENSITIVE}, account {ACCOUNT}", ts=THREAD))
    container.new_worker().run_until_idle()
    return key_of(THREAD)


def _view(container: Container, key: str) -> conversations.ConversationView:
    with container.database.transaction() as session:
        view = conversations.get_view(session, key)
    assert view is not None
    return view


def _note_text(fake: FakeSlack) -> str:
    (note,) = fake.bot_messages()
    return json.dumps(note["blocks"])


def test_verify_pin_opens_the_modal_prefilled_and_marks_the_thread_challenged(
    slack: SlackClient, container: Container, fake: FakeSlack, clock: FrozenClock
) -> None:
    """The button opens the modal inside the trigger's life with the account pre-filled (R6)."""
    key = _locked_thread(slack, container, clock)
    assert slack.click("cpni_verify", key).status_code == 200
    (opened,) = fake.calls_of("views.open", ok=True)
    view = opened.params["view"]
    assert view["private_metadata"] == key
    assert ACCOUNT in json.dumps(view["blocks"])
    assert _view(container, key).state is LockState.CHALLENGED
    container.new_worker().run_until_idle()
    assert "PIN check in progress" in _note_text(fake)


def test_an_expired_trigger_is_refused_by_slack_and_nothing_is_challenged(
    slack: SlackClient, container: Container, fake: FakeSlack, clock: FrozenClock
) -> None:
    """A click older than 3 s cannot open a modal; the thread stays locked, not challenged."""
    key = _locked_thread(slack, container, clock)
    slack.click("cpni_verify", key, age=4.0)
    assert fake.calls_of("views.open")[0].error == "expired_trigger_id"
    assert _view(container, key).state is LockState.LOCKED


def test_wrong_pin_shows_attempts_left_and_right_pin_unlocks_for_that_account(
    slack: SlackClient, container: Container, fake: FakeSlack, clock: FrozenClock
) -> None:
    """A wrong PIN is an error inside the modal; the right one closes it and unlocks (R17)."""
    key = _locked_thread(slack, container, clock)
    wrong = slack.submit_pin(key, account=ACCOUNT, pin="000000")
    assert wrong.status_code == 200
    answer = wrong.json()
    assert answer["response_action"] == "errors"
    assert "attempts left" in answer["errors"]["pin"] or "attempt left" in answer["errors"]["pin"]
    right = slack.submit_pin(key, account=ACCOUNT, pin=PIN)
    assert right.json() == {"response_action": "clear"}
    view = _view(container, key)
    assert view.state is LockState.VERIFIED and view.account_number == ACCOUNT
    assert view.verified_by == "slack:UAGENT1" and view.verified_method == "agent"
    container.new_worker().run_until_idle()
    assert "Verified" in _note_text(fake)
    assert len(fake.calls_of("chat.postMessage", ok=True)) == 1


def test_unknown_account_and_missing_fields_stay_in_the_modal(
    slack: SlackClient, container: Container, clock: FrozenClock
) -> None:
    """Bad input is answered in the modal and changes nothing."""
    key = _locked_thread(slack, container, clock)
    assert "account" in slack.submit_pin(key, account="NOPE-1", pin="1234").json()["errors"]
    assert "pin" in slack.submit_pin(key, account=ACCOUNT, pin="").json()["errors"]
    assert _view(container, key).is_locked


def test_lockout_closes_the_modal_and_the_note_says_locked_out(
    slack: SlackClient, container: Container, fake: FakeSlack, clock: FrozenClock
) -> None:
    """Too many wrong PINs lock the account out; the modal closes and the note is rewritten."""
    key = _locked_thread(slack, container, clock)
    for _ in range(20):
        answer = slack.submit_pin(key, account=ACCOUNT, pin="000000").json()
        if answer.get("response_action") == "clear":
            break
    else:
        raise AssertionError("the account never locked out")
    assert _view(container, key).state is LockState.LOCKED_OUT
    container.new_worker().run_until_idle()
    assert "locked out" in _note_text(fake)
    assert len(fake.bot_messages()) == 1


def test_a_verification_expires_and_the_note_says_so(
    slack: SlackClient, container: Container, fake: FakeSlack, clock: FrozenClock
) -> None:
    """After the configured time the thread is locked again and the same note is rewritten."""
    key = _locked_thread(slack, container, clock)
    slack.submit_pin(key, account=ACCOUNT, pin=PIN)
    clock.advance(minutes=31)
    with container.database.transaction() as session:
        conversations.expire_due(session, now=clock())
    container.new_worker().run_until_idle()
    assert _view(container, key).state is LockState.LOCKED
    assert "PIN required" in _note_text(fake)
    assert fake.calls_of("chat.update", ok=True)


def test_secure_link_is_posted_to_the_agent_only(
    slack: SlackClient, container: Container, fake: FakeSlack, clock: FrozenClock
) -> None:
    """The link button posts a one-time URL on the bot's public address, ephemerally."""
    key = _locked_thread(slack, container, clock)
    slack.click("cpni_link", key)
    (posted,) = fake.calls_of("chat.postEphemeral", ok=True)[-1:]
    assert posted.params["user"] == "UAGENT1"
    assert "http://127.0.0.1:3000/v/" in posted.params["text"]
    assert _view(container, key).state is LockState.CHALLENGED


def test_only_supervisors_can_unlock_and_their_reason_is_required(
    slack: SlackClient, container: Container, clock: FrozenClock
) -> None:
    """`/cpni unlock` needs a reason and a member of the supervisor group (R27)."""
    key = _locked_thread(slack, container, clock)
    assert "reason" in slack.command("unlock").text
    assert "Only supervisors" in slack.command("unlock --reason caller verified by phone").text
    assert _view(container, key).is_locked
    done = slack.command("unlock --reason caller verified by phone", user=SUPERVISOR)
    assert "unlocked" in done.text
    view = _view(container, key)
    assert view.state is LockState.OVERRIDDEN and view.verified_by == f"slack:{SUPERVISOR}"


def test_cpni_status_help_link_and_unknown_subcommands_answer_helpfully(
    slack: SlackClient, container: Container, clock: FrozenClock
) -> None:
    """Every subcommand answers in words; unknown ones get the help, not an error."""
    key = _locked_thread(slack, container, clock)
    assert "/cpni status" in slack.command("help").text
    assert "I don't know `/cpni frobnicate`" in slack.command("frobnicate").text
    assert "locked" in slack.command("status").text
    assert "Usage" in slack.command("link").text
    assert "unknown account" in slack.command("link NOPE-9").text.lower()
    assert ACCOUNT in slack.command(f"link {ACCOUNT}").text
    assert _view(container, key).account_number == ACCOUNT


def test_a_slow_pin_check_is_acknowledged_at_once_and_the_modal_updated_after(
    slack: SlackClient,
    container: Container,
    fake: FakeSlack,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A slow argon2 check is acked at once; the result arrives by views.update."""
    key = _locked_thread(slack, container, clock)
    runtime = runtime_for(container)
    real = runtime.pin_verifier()
    release = threading.Event()

    class SlowVault:
        def verify(self, *args: object, **kwargs: object) -> object:
            release.wait(30)
            return real.verify(*args, **kwargs)

    runtime.vault = SlowVault()
    monkeypatch.setattr(listeners, "FAST_ACK_SECONDS", 0.05)
    answer = slack.submit_pin(key, account=ACCOUNT, pin="000000").json()
    assert answer["response_action"] == "update"
    assert "Checking the PIN" in json.dumps(answer["view"])
    release.set()
    deadline = time.monotonic() + 30
    while not fake.calls_of("views.update") and time.monotonic() < deadline:
        time.sleep(0.02)
    (update,) = fake.calls_of("views.update")
    assert update.params["view_id"] == "VMODAL"
    assert "attempts left" in json.dumps(update.params["view"])
    assert PIN not in json.dumps(update.params["view"]) and "000000" not in json.dumps(
        update.params
    )
