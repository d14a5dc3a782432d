"""Helpers for the Zendesk tests: a wired container, signed webhooks, event payloads."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from fake_zendesk import FakeZendesk
from sqlalchemy import select

from bot.config import load_config
from bot.container import Container, build_container
from bot.services.pin_vault import build_vault
from bot.storage.accounts import Account, EmailAddress, PhoneNumber
from bot.storage.queues import OutboxItem
from handlers import zendesk
from handlers.zendesk.signature import sign

WEBHOOK_SECRET = "whsec-test-0123456789abcdef"
APP_SECRET = "zaf-app-secret-0123456789abcdef-0123"
PEPPER = "k1:" + base64.urlsafe_b64encode(b"p" * 32).decode()
PUBLIC_URL = "http://127.0.0.1:3000"
SUBDOMAIN = "acme"
PIN = "482915"


def settings_env(database_url: str, api_url: str, **extra: str) -> dict[str, str]:
    """The environment of a fully configured bot pointing at the fake Zendesk."""
    return {
        "CPNI_DATABASE_URL": database_url,
        "CPNI_PUBLIC_URL": PUBLIC_URL,
        "CPNI_PIN_PEPPER": PEPPER,
        "CPNI_ARGON2_PROFILE": "cheapest",
        "ZENDESK_SUBDOMAIN": SUBDOMAIN,
        "ZENDESK_EMAIL": "bot@example.com",
        "ZENDESK_API_TOKEN": "zd-test-token",
        "ZENDESK_API_URL": api_url,
        "ZENDESK_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "CPNI_ZENDESK_APP_SECRET": APP_SECRET,
        "CPNI_ZENDESK_LOCK_FIELD_ID": "360001",
        "CPNI_ZENDESK_SUPERVISOR_GROUP": "700",
        **extra,
    }


def make_container(env: dict[str, str], clock: Any) -> Container:
    """A container with the Zendesk surface registered and a (cheap) PIN vault."""
    container = build_container(load_config(env, env_file=None), clock=clock, plugins=False)
    zendesk.register(container)
    container.vault = build_vault(container.config, container.database)
    return container


def seed_account(
    container: Container,
    *,
    number: str = "ACC-1001",
    email: str | None = "pat@example.com",
    phone: str | None = None,
    pin: str | None = PIN,
    now: datetime,
) -> str:
    """An account with a contact of record and an enrolled PIN."""
    with container.database.transaction() as session:
        account = Account(account_number=number, name="Pat Doe", created_at=now, updated_at=now)
        session.add(account)
        session.flush()
        since = now - timedelta(days=400)
        if email:
            session.add(EmailAddress(account_id=account.id, address=email, associated_since=since))
        if phone:
            session.add(
                PhoneNumber(
                    account_id=account.id, e164=phone, kind="service", associated_since=since
                )
            )
    if pin:
        result = container.vault.enrol(
            number, pin, actor="test", surface="cli", at_service_start=True
        )
        assert result.ok, result
    return number


@dataclass
class SignedRequest:
    body: bytes
    headers: dict[str, str]


def signed(payload: Any, *, at: datetime, secret: str = WEBHOOK_SECRET) -> SignedRequest:
    """A webhook request signed exactly as Zendesk signs it."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return SignedRequest(
        body=body,
        headers={
            "X-Zendesk-Webhook-Signature": sign(secret, stamp, body),
            "X-Zendesk-Webhook-Signature-Timestamp": stamp,
            "Content-Type": "application/json",
        },
    )


def comment_event(
    ticket_id: int,
    comment_id: int,
    body: str,
    *,
    author_id: int,
    channel: str = "web_service",
    requester_id: int | None = None,
    event_id: str | None = None,
    staff: bool = False,
) -> dict[str, Any]:
    """A ``zen:event-type:ticket.comment_added`` payload in the captured shape (ids as strings)."""
    return {
        "account_id": 2222096,
        "detail": {
            "id": str(ticket_id),
            "requester_id": str(requester_id or author_id),
            "status": "OPEN",
            "via": {"channel": channel},
            "tags": [],
        },
        "event": {
            "comment": {
                "author": {"id": str(author_id), "is_staff": staff, "name": "Someone"},
                "body": body,
                "id": str(comment_id),
                "is_public": True,
            }
        },
        "id": event_id or str(uuid.uuid4()),
        "subject": f"zen:ticket:{ticket_id}",
        "time": "2026-03-02T15:00:00Z",
        "type": "zen:event-type:ticket.comment_added",
        "zendesk_event_version": "2022-11-06",
    }


def app_token(agent_id: int, *, secret: str = APP_SECRET, ttl: int = 60, **claims: Any) -> str:
    """The JWT the Zendesk proxy signs for the sidebar (HS256 with the secure setting)."""
    now = int(datetime.now().timestamp())
    body = {
        "iss": f"https://{SUBDOMAIN}.zendesk.com",
        "aud": PUBLIC_URL,
        "sub": str(agent_id),
        "iat": now,
        "exp": now + ttl,
        **claims,
    }
    return jwt.encode(body, secret, algorithm="HS256")


def outbox_states(container: Container) -> dict[str, str]:
    """Every outbox item by idempotency key and state."""
    with container.database.transaction() as session:
        rows = session.execute(select(OutboxItem.idempotency_key, OutboxItem.state)).all()
    return {k: s for k, s in rows}


__all__ = [
    "APP_SECRET",
    "PIN",
    "WEBHOOK_SECRET",
    "FakeZendesk",
    "app_token",
    "comment_event",
    "make_container",
    "outbox_states",
    "seed_account",
    "settings_env",
    "signed",
]
