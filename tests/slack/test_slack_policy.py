"""The Slack surface screens with the operator's detection policy, not the built-in default."""

from __future__ import annotations

from pathlib import Path

from fake_slack import FakeSlack
from slack_support import SlackClient, make_container, message, serve_app, settings_env

from fakes import FrozenClock

BILL = "Caller wants to know what's on their latest bill and how much they owe"
CALLS = "Caller wants the numbers that called her at 3am on Sunday"


def test_a_policy_that_gates_only_call_detail_is_honoured_in_slack(
    database_url: str, fake: FakeSlack, clock: FrozenClock, tmp_path: Path
) -> None:
    """With `pin_required: [call_detail]`, a bill question posts no note and a call log does."""
    policy = tmp_path / "policy.yaml"
    policy.write_text("detection:\n  pin_required: [call_detail]\n")
    env = settings_env(database_url, fake.url, CPNI_POLICY_FILE=str(policy))
    container = make_container(env, clock)
    try:
        with serve_app(container) as url:
            slack = SlackClient(url, fake)
            slack.event(message(BILL, ts="1700009000.000100"))
            container.new_worker().run_until_idle()
            assert fake.bot_messages() == []
            slack.event(message(CALLS, ts="1700009100.000100"))
            container.new_worker().run_until_idle()
            assert len(fake.bot_messages()) == 1
            slack.http.close()
    finally:
        container.database.dispose()
