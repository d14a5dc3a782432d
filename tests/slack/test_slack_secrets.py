"""After a full flow no PIN, token, signing secret or message body is left anywhere visible."""

from __future__ import annotations

import base64
import json
import logging
from datetime import UTC, datetime

import pytest
from fake_slack import BOT_TOKEN, FakeSlack
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_support import ACCOUNT, PIN, SIGNING_SECRET, SlackClient, key_of, message, seed_account
from sqlalchemy import select, text

from bot.container import Container
from bot.storage.db import Database
from bot.storage.queues import InboxItem, OutboxItem
from bot.storage.records import AuditEventRow
from handlers.slack.oauth import EncryptedInstallationStore, TokenCipher

from fakes import FrozenClock

BODY = "Caller wants to know what's on their latest bill and how much they owe"


def test_no_secret_or_body_in_logs_audit_metadata_or_queues(
    slack: SlackClient,
    container: Container,
    fake: FakeSlack,
    clock: FrozenClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """PIN, bot token, signing secret and message text appear in none of the stores or logs."""
    caplog.set_level(logging.DEBUG)
    seed_account(container, now=clock())
    thread = "1700003000.000100"
    key = key_of(thread)
    slack.event(message(f"{BODY}, account {ACCOUNT}", ts=thread))
    container.new_worker().run_until_idle()
    slack.click("cpni_verify", key)
    slack.submit_pin(key, account=ACCOUNT, pin="000000")
    slack.submit_pin(key, account=ACCOUNT, pin=PIN)
    slack.click("cpni_link", key)
    container.new_worker().run_until_idle()

    (link,) = [c for c in fake.calls_of("chat.postEphemeral") if "/v/" in c.params["text"]]
    link_token = link.params["text"].rsplit("/v/", 1)[1].split()[0].rstrip(">")
    secrets = [PIN, BOT_TOKEN, SIGNING_SECRET, BODY, link_token]
    with container.database.transaction() as session:
        audit = [
            json.dumps([r.actor, r.action, r.conversation_key, r.categories, r.details])
            for r in session.scalars(select(AuditEventRow))
        ]
        queues = [json.dumps(r.payload) for r in session.scalars(select(InboxItem))]
        queues += [
            json.dumps([r.payload, r.result, r.last_error])
            for r in session.scalars(select(OutboxItem))
        ]
    views = [json.dumps(c.params.get("view")) for c in fake.calls_of("views.open")]
    metadata = [json.dumps(m.get("metadata")) for m in fake.bot_messages()]
    notes = [json.dumps(m.get("blocks")) for m in fake.bot_messages()]
    assert audit and views and metadata
    for place, texts in {
        "logs": [caplog.text],
        "audit": audit,
        "queues": queues,
        "private_metadata": views,
        "message metadata": metadata,
        "notes": notes,
    }.items():
        for secret in secrets:
            assert all(secret not in t for t in texts), f"{place} holds a secret or body"
    assert json.loads(views[0])["private_metadata"] == key


def test_installation_tokens_are_encrypted_at_rest(database: Database) -> None:
    """The OAuth store writes sealed tokens to our migrated tables and reads them back."""
    key = base64.urlsafe_b64encode(b"k" * 32).decode()
    store = EncryptedInstallationStore(
        client_id="123.456", engine=database.engine, cipher=TokenCipher(key)
    )
    token = "xoxb-" + "9" * 60
    store.save(
        Installation(
            app_id="A1",
            team_id="T9",
            user_id="U9",
            bot_token=token,
            bot_id="B9",
            bot_user_id="UB9",
            bot_scopes="chat:write",
            installed_at=datetime(2026, 3, 2, tzinfo=UTC).timestamp(),
        )
    )
    with database.engine.connect() as connection:
        stored = [r[0] for r in connection.execute(text("SELECT bot_token FROM slack_bots"))]
        stored += [
            r[0] for r in connection.execute(text("SELECT bot_token FROM slack_installations"))
        ]
    assert stored and all(v.startswith("enc1:") and token not in v for v in stored)
    assert store.bot_token_for("T9") == token
    found = store.find_installation(enterprise_id=None, team_id="T9")
    assert found is not None and found.bot_token == token
