"""Helpers for the Slack tests: a wired container, the web app over real HTTP, signed requests."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import uvicorn
from fake_slack import BOT_ID, BOT_USER, TEAM, FakeSlack
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import select

from bot.config import load_config
from bot.container import Container, build_container
from bot.services.pin_vault import build_vault
from bot.storage.accounts import Account, EmailAddress
from bot.storage.queues import InboxItem, OutboxItem
from handlers import slack
from handlers.web import create_app

SIGNING_SECRET = "slack-signing-secret-0123456789abcdef"
PEPPER = "k1:" + base64.urlsafe_b64encode(b"s" * 32).decode()
PUBLIC_URL = "http://127.0.0.1:3000"
CHANNEL = "C0SUPPORT"
AGENT = "UAGENT1"
SUPERVISOR = "USUPER1"
SUPERVISOR_GROUP = "S0SUPERS"
PIN = "482915"
ACCOUNT = "ACC-7001"


def settings_env(database_url: str, api_url: str, **extra: str) -> dict[str, str]:
    """The environment of a single-workspace bot pointing at the fake Slack."""
    return {
        "CPNI_DATABASE_URL": database_url,
        "CPNI_PUBLIC_URL": PUBLIC_URL,
        "CPNI_PIN_PEPPER": PEPPER,
        "CPNI_ARGON2_PROFILE": "cheapest",
        "SLACK_BOT_TOKEN": "xoxb-fake-bot-token-0123456789",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api_url,
        "CPNI_SLACK_SUPERVISOR_GROUP": SUPERVISOR_GROUP,
        **extra,
    }


def make_container(env: dict[str, str], clock: Any) -> Container:
    """A container with the Slack surface registered and a (cheap) real PIN vault."""
    container = build_container(load_config(env, env_file=None), clock=clock, plugins=False)
    slack.register(container)
    container.vault = build_vault(container.config, container.database)
    return container


def seed_account(container: Container, *, now: datetime, number: str = ACCOUNT) -> str:
    """An account with an email of record and an enrolled PIN."""
    with container.database.transaction() as session:
        account = Account(account_number=number, name="Pat Doe", created_at=now, updated_at=now)
        session.add(account)
        session.flush()
        session.add(
            EmailAddress(
                account_id=account.id,
                address="pat@example.com",
                associated_since=now - timedelta(days=400),
            )
        )
    result = container.vault.enrol(number, PIN, actor="test", surface="cli", at_service_start=True)
    assert result.ok, result
    return number


@contextmanager
def serve_app(container: Container) -> Iterator[str]:
    """The FastAPI app of ``container`` served by uvicorn on 127.0.0.1 (a free port)."""
    server = uvicorn.Server(
        uvicorn.Config(create_app(container), host="127.0.0.1", port=0, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class SlackClient:
    """Sends requests to /slack/events signed exactly as Slack signs them (v0 HMAC)."""

    def __init__(self, base_url: str, fake: FakeSlack) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=10)
        self.fake = fake
        self.verifier = SignatureVerifier(SIGNING_SECRET)

    def post(
        self,
        body: str,
        *,
        content_type: str,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
        sign: bool = True,
    ) -> httpx.Response:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        sent = {"Content-Type": content_type, **(headers or {})}
        if sign:
            sent["X-Slack-Request-Timestamp"] = ts
            sent["X-Slack-Signature"] = signature or self.verifier.generate_signature(
                timestamp=ts, body=body
            )
        return self.http.post("/slack/events", content=body.encode(), headers=sent)

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry: int | None = None,
        team: str = TEAM,
    ) -> httpx.Response:
        envelope = event_callback(event, event_id=event_id, team=team)
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return self.post(
            json.dumps(envelope),
            content_type="application/json",
            headers=headers if retry else None,
        )

    def interactive(self, payload: dict[str, Any]) -> httpx.Response:
        body = urlencode({"payload": json.dumps(payload)})
        return self.post(body, content_type="application/x-www-form-urlencoded")

    def click(
        self, action_id: str, key: str, *, user: str = AGENT, age: float = 0.0
    ) -> httpx.Response:
        trigger = self.fake.issue_trigger(age_seconds=age)
        return self.interactive(
            {
                "type": "block_actions",
                "team": {"id": TEAM},
                "user": {"id": user, "team_id": TEAM},
                "api_app_id": "A0CPNI",
                "trigger_id": trigger,
                "channel": {"id": CHANNEL},
                "container": {"type": "message", "channel_id": CHANNEL},
                "actions": [
                    {
                        "action_id": action_id,
                        "block_id": "cpni_note_actions",
                        "value": key,
                        "type": "button",
                    }
                ],
                "response_url": self.fake.url + "response",
            }
        )

    def submit_pin(self, key: str, *, account: str, pin: str, user: str = AGENT) -> httpx.Response:
        values = {
            "account": {"value": {"type": "plain_text_input", "value": account}},
            "pin": {"value": {"type": "plain_text_input", "value": pin}},
        }
        return self.interactive(
            {
                "type": "view_submission",
                "team": {"id": TEAM},
                "user": {"id": user, "team_id": TEAM},
                "api_app_id": "A0CPNI",
                "view": {
                    "id": "VMODAL",
                    "type": "modal",
                    "callback_id": "cpni_pin_modal",
                    "private_metadata": key,
                    "state": {"values": values},
                },
            }
        )

    def command(self, text: str, *, user: str = AGENT, channel: str = CHANNEL) -> httpx.Response:
        body = urlencode(
            {
                "command": "/cpni",
                "text": text,
                "team_id": TEAM,
                "user_id": user,
                "channel_id": channel,
                "trigger_id": self.fake.issue_trigger(),
                "response_url": self.fake.url + "response",
                "api_app_id": "A0CPNI",
            }
        )
        return self.post(body, content_type="application/x-www-form-urlencoded")


def event_callback(
    event: dict[str, Any], *, event_id: str | None = None, team: str = TEAM
) -> dict[str, Any]:
    """The ``event_callback`` body Slack sends (over HTTP, or inside a Socket Mode envelope)."""
    return {
        "token": "unused",
        "team_id": team,
        "api_app_id": "A0CPNI",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()),
        "authorizations": [
            {"team_id": team, "user_id": BOT_USER, "is_bot": True, "enterprise_id": None}
        ],
    }


def home_opened(user: str) -> dict[str, Any]:
    """An ``app_home_opened`` event: ``user`` opened the app's Home tab."""
    return {
        "type": "app_home_opened",
        "user": user,
        "channel": "D0HOME",
        "tab": "home",
        "event_ts": f"{time.time():.6f}",
    }


def message(
    text: str, *, ts: str, user: str = AGENT, thread_ts: str | None = None, team: str = TEAM
) -> dict[str, Any]:
    """A ``message`` event in the support channel."""
    event = {
        "type": "message",
        "channel": CHANNEL,
        "channel_type": "channel",
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "team": team,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def edited(
    text: str, *, ts: str, thread_ts: str | None = None, user: str = AGENT
) -> dict[str, Any]:
    """A ``message_changed`` event: ``ts`` now reads ``text``."""
    inner = {
        "type": "message",
        "user": user,
        "text": text,
        "ts": ts,
        "team": TEAM,
        "edited": {"user": user, "ts": ts},
    }
    if thread_ts:
        inner["thread_ts"] = thread_ts
    return {
        "type": "message",
        "subtype": "message_changed",
        "channel": CHANNEL,
        "hidden": True,
        "message": inner,
        "previous_message": {"type": "message", "ts": ts, "user": user, "text": "(previous)"},
        "ts": f"{float(ts) + 5:.6f}",
        "event_ts": f"{float(ts) + 5:.6f}",
        "channel_type": "channel",
    }


def key_of(thread_ts: str, *, team: str = TEAM) -> str:
    """The conversation key of a thread in the support channel."""
    return f"slack:{team}/{CHANNEL}/{thread_ts}"


def outbox(container: Container) -> list[OutboxItem]:
    """Every outbox row, oldest first."""
    with container.database.transaction() as session:
        rows = list(session.scalars(select(OutboxItem).order_by(OutboxItem.id)))
        session.expunge_all()
    return rows


def drain_until_done(container: Container, clock: Any, *, rounds: int = 30) -> None:
    """Run the worker until every outbox item is done, letting each retry's delay pass."""
    worker = container.new_worker()
    for _ in range(rounds):
        worker.run_until_idle()
        if all(o.state == "done" for o in outbox(container)):
            return
        clock.advance(seconds=120)
    raise AssertionError("the outbox did not drain")


def inbox_count(container: Container) -> int:
    """How many inbox items were committed."""
    with container.database.transaction() as session:
        return len(list(session.scalars(select(InboxItem))))


__all__ = ["BOT_ID"]
