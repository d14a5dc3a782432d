"""Helpers for the self-service page tests: a container, a locked Slack thread, a link."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from bot.config import load_config
from bot.container import Container, build_container
from bot.services import challenges, conversations
from bot.services.conversations import Message
from bot.services.pin_vault import build_vault
from bot.storage.accounts import Account

PIN = "482915"
KEY = "slack:T0001/C0001/1772463600.000100"


def make_container(database_url: str, clock: Any) -> Container:
    """A container with a cheap PIN vault (no surface needed: the page is surface-neutral)."""
    env = {
        "CPNI_DATABASE_URL": database_url,
        "CPNI_PIN_PEPPER": "k1:" + base64.urlsafe_b64encode(b"q" * 32).decode(),
        "CPNI_ARGON2_PROFILE": "cheapest",
    }
    container = build_container(load_config(env, env_file=None), clock=clock, plugins=False)
    container.vault = build_vault(container.config, container.database)
    return container


def locked_thread_with_link(
    container: Container, *, number: str = "ACC-7", ttl_minutes: int = 15, key: str = KEY
) -> str:
    """Lock a Slack thread about an account with a PIN, and issue a link for it."""
    now = container.clock()
    with container.database.transaction() as session:
        session.add(Account(account_number=number, name="Kim Roe", created_at=now, updated_at=now))
    assert container.vault.enrol(number, PIN, actor="t", surface="cli", at_service_start=True).ok
    with container.database.transaction() as session:
        conversations.screen(
            session,
            key=key,
            surface="slack",
            account_number=number,
            now=now,
            detector=container.detector,
            messages=[
                Message(
                    message_id="1",
                    text="which numbers called me yesterday?",
                    author_role="customer",
                )
            ],
        )
        link = challenges.create_link(
            session,
            key=key,
            account_number=None,
            created_by="agent:U1",
            now=now,
            ttl_minutes=ttl_minutes,
        )
    return link.token


def expire(clock: Any, minutes: int = 16) -> None:
    """Move the frozen clock past a link's expiry."""
    clock.advance(**{"minutes": minutes})


__all__ = ["KEY", "PIN", "expire", "locked_thread_with_link", "make_container", "timedelta"]
