"""The App Home over real HTTP: an agent's recent checks; supervisors also see lockouts now."""

from __future__ import annotations

import json

from fake_slack import FakeSlack
from slack_support import (
    ACCOUNT,
    AGENT,
    PIN,
    SUPERVISOR,
    SUPERVISOR_GROUP,
    SlackClient,
    home_opened,
    key_of,
    message,
    seed_account,
)

from bot.container import Container
from bot.services import conversations

from fakes import FrozenClock

SENSITIVE = "Caller wants to know what's on their latest bill and how much they owe"
LOCKED_ACCOUNT = "ACC-7002"
HOME_LOCKED_OUT = "Accounts locked out now"


def _published_for(fake: FakeSlack, user: str) -> str:
    """The last Home view published for ``user``, as JSON text."""
    calls = [c for c in fake.calls_of("views.publish", ok=True) if c.params["user_id"] == user]
    assert calls, f"no Home published for {user}"
    view = calls[-1].params["view"]
    assert view["type"] == "home"
    return json.dumps(view)


def _verified_and_locked_out(slack: SlackClient, container: Container, clock: FrozenClock) -> None:
    """AGENT verifies ACCOUNT in one thread; ACC-7002 is locked out by wrong PINs in another."""
    seed_account(container, now=clock())
    seed_account(container, now=clock(), number=LOCKED_ACCOUNT)
    slack.event(message(f"{SENSITIVE}, account {ACCOUNT}", ts="1700006000.000100"))
    slack.event(message(f"{SENSITIVE}, account {LOCKED_ACCOUNT}", ts="1700006100.000100"))
    container.new_worker().run_until_idle()
    ok = slack.submit_pin(key_of("1700006000.000100"), account=ACCOUNT, pin=PIN)
    assert ok.json() == {"response_action": "clear"}
    for _ in range(20):
        answer = slack.submit_pin(
            key_of("1700006100.000100"), account=LOCKED_ACCOUNT, pin="000000", user=SUPERVISOR
        ).json()
        if answer.get("response_action") == "clear":
            return
    raise AssertionError("the account never locked out")


def test_an_agent_sees_their_recent_verifications_and_no_lockouts(
    slack: SlackClient, container: Container, fake: FakeSlack, clock: FrozenClock
) -> None:
    """app_home_opened publishes the agent's own verified thread, without the supervisor list."""
    _verified_and_locked_out(slack, container, clock)
    assert slack.event(home_opened(AGENT)).status_code == 200
    container.new_worker().run_until_idle()
    home = _published_for(fake, AGENT)
    assert ACCOUNT in home and "verified" in home
    assert HOME_LOCKED_OUT not in home and LOCKED_ACCOUNT not in home


def test_a_supervisor_also_sees_the_accounts_locked_out_now(
    slack: SlackClient, container: Container, fake: FakeSlack, clock: FrozenClock
) -> None:
    """A member of the supervisor group sees locked-out accounts; they leave when it ends."""
    _verified_and_locked_out(slack, container, clock)
    slack.event(home_opened(SUPERVISOR))
    container.new_worker().run_until_idle()
    home = _published_for(fake, SUPERVISOR)
    assert HOME_LOCKED_OUT in home and LOCKED_ACCOUNT in home
    assert f"{ACCOUNT} until" not in home  # the verified account is not locked out
    assert fake.calls_of("usergroups.users.list")[0].params["usergroup"] == SUPERVISOR_GROUP

    with container.database.transaction() as session:
        ((number, until),) = conversations.locked_out_accounts(session, now=clock())
    assert number == LOCKED_ACCOUNT and until is not None
    clock.advance(seconds=(until - clock()).total_seconds() + 60)  # the lockout has ended
    slack.event(home_opened(SUPERVISOR))
    container.new_worker().run_until_idle()
    later = _published_for(fake, SUPERVISOR)
    assert HOME_LOCKED_OUT in later and LOCKED_ACCOUNT not in later


def test_a_supervisor_group_unknown_to_the_workspace_fails_closed(
    slack: SlackClient, container: Container, fake: FakeSlack, clock: FrozenClock
) -> None:
    """When the group lookup fails the Home is still published, without the supervisor list."""
    _verified_and_locked_out(slack, container, clock)
    del fake.usergroups[SUPERVISOR_GROUP]
    slack.event(home_opened(SUPERVISOR))
    container.new_worker().run_until_idle()
    home = _published_for(fake, SUPERVISOR)
    assert HOME_LOCKED_OUT not in home and LOCKED_ACCOUNT not in home
