"""manifest.yaml agrees with the listeners the bolt app registers and the scopes it uses."""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

from bot.container import Container
from handlers.slack.app import BOT_SCOPES, METHOD_SCOPES, build_app
from handlers.slack.commands import COMMAND
from handlers.slack.listeners import EVENT_TYPES
from handlers.slack.runtime import runtime_for

ROOT = Path(__file__).resolve().parents[2]
_CLIENT_METHODS = {
    "views_open": "views.open",
    "chat_postEphemeral": "chat.postEphemeral",
    "usergroups_users_list": "usergroups.users.list",
}
MANIFEST = yaml.safe_load((ROOT / "manifest.yaml").read_text(encoding="utf-8"))


def _called_methods() -> set[str]:
    """Every Web API method the Slack surface's code calls (gateway names and client methods)."""
    found: set[str] = set()
    for path in (ROOT / "handlers" / "slack").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                name = node.func.attr
                if (
                    name == "call"
                    and len(node.args) >= 2
                    and isinstance(node.args[1], ast.Constant)
                ):
                    found.add(str(node.args[1].value))
                elif name in _CLIENT_METHODS:
                    found.add(_CLIENT_METHODS[name])
    return found


def test_every_subscribed_event_has_a_listener(container: Container) -> None:
    """Each bot event in the manifest reaches a registered listener (nothing answers 404)."""
    events = {e.split(".")[0] for e in MANIFEST["settings"]["event_subscriptions"]["bot_events"]}
    assert events == set(EVENT_TYPES)
    app = build_app(runtime_for(container))
    # events + three buttons + the modal + the command
    assert len(app._async_listeners) == len(EVENT_TYPES) + 5


def test_the_slash_command_and_interactivity_are_declared() -> None:
    """/cpni and interactivity point at the one Request URL bolt serves."""
    commands = [c["command"] for c in MANIFEST["features"]["slash_commands"]]
    assert commands == [COMMAND]
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True


def test_scopes_match_the_methods_actually_called() -> None:
    """The manifest asks for exactly the scopes the code needs, and the code asks for the same."""
    called = _called_methods()
    unknown = called - set(METHOD_SCOPES)
    assert not unknown, f"methods without a known scope: {unknown}"
    needed = {METHOD_SCOPES[m] for m in called if METHOD_SCOPES[m]}
    needed |= {"commands", "app_mentions:read", "groups:history"}  # slash command and events
    declared = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert declared == needed == set(BOT_SCOPES)
