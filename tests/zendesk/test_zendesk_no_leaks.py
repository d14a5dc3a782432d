"""After a full email + sidebar flow, no PIN, token, secret or message body is anywhere it
must not be: logs, audit records, internal notes, queue rows (style rule 4, R31)."""

from __future__ import annotations

import json
import logging
import re

import pytest
from fake_zendesk import FakeZendesk
from fastapi.testclient import TestClient
from sqlalchemy import select
from zendesk_support import (
    APP_SECRET,
    PIN,
    WEBHOOK_SECRET,
    app_token,
    comment_event,
    seed_account,
    signed,
)

from bot.container import Container
from bot.storage.queues import InboxItem, OutboxItem
from bot.storage.records import AuditEventRow

from fakes import FrozenClock

ASK = "Which numbers called me yesterday? My neighbour Jo Quux-Zebulon says hi."


def test_full_flow_leaks_nothing(
    zd: FakeZendesk,
    client: TestClient,
    container: Container,
    clock: FrozenClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Secrets, the PIN, the link token and the customer's words stay out of every record."""
    caplog.set_level(logging.DEBUG)
    seed_account(container, now=clock.now)
    agent = zd.add_user(role="agent")
    requester = zd.add_user(email="pat@example.com")
    ticket = zd.add_ticket(requester_id=requester, channel="email")
    first = zd.add_comment(ticket, ASK, author_id=requester, channel="email")

    def deliver(comment_id: int, body: str) -> None:
        request = signed(
            comment_event(ticket, comment_id, body, author_id=requester, channel="mail"),
            at=clock.now,
        )
        assert (
            client.post(
                "/zendesk/webhook", content=request.body, headers=request.headers
            ).status_code
            == 200
        )
        container.new_worker().run_until_idle()

    deliver(first, ASK)
    prompt = next(c["body"] for c in zd.public_comments(ticket) if "/v/" in c["body"])
    link_token = re.search(r"/v/([A-Za-z0-9_-]+)", prompt).group(1)  # type: ignore[union-attr]
    client.post(
        "/zendesk/sidebar/pin",
        json={"ticket_id": str(ticket), "pin": "731902"},
        headers={"Authorization": f"Bearer {app_token(agent)}"},
    )
    reply = zd.add_comment(ticket, f"my pin is {PIN}", author_id=requester, channel="email")
    deliver(reply, f"my pin is {PIN}")
    client.get(f"/v/{link_token}")

    forbidden = [
        PIN,
        "731902",
        link_token,
        APP_SECRET,
        WEBHOOK_SECRET,
        "zd-test-token",
        "Quux-Zebulon",
    ]
    server_logs = "\n".join(
        r.getMessage() + json.dumps({k: str(v) for k, v in r.__dict__.items()})
        for r in caplog.records
        if not r.name.startswith("httpx")
    )
    with container.database.transaction() as session:
        audit = json.dumps(
            [
                [
                    r.actor,
                    r.action,
                    r.conversation_key,
                    r.method,
                    r.outcome,
                    r.categories,
                    r.details,
                ]
                for r in session.scalars(select(AuditEventRow))
            ],
            default=str,
        )
        outbox = json.dumps(
            [[r.payload, r.result, r.last_error] for r in session.scalars(select(OutboxItem))],
            default=str,
        )
        inbox = json.dumps(
            [[r.payload, r.last_error] for r in session.scalars(select(InboxItem))], default=str
        )
    notes = json.dumps([n["body"] for n in zd.notes(ticket)])
    assert audit.count("conversation_unlocked") == 1 and "reply" in audit
    for secret in forbidden:
        for name, text in (
            ("logs", server_logs),
            ("audit", audit),
            ("outbox", outbox),
            ("inbox", inbox),
            ("notes", notes),
        ):
            assert secret not in text, f"{secret[:3]}… found in {name}"
    assert PIN not in json.dumps(zd.state.comments[ticket])  # redacted from the ticket itself
