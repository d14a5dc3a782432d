"""The Sonar connector's worker side: webhook items, notes, and the periodic tick.

* Inbox ``sonar``/``webhook``: re-read the object's account(s) from Sonar, reconcile them with
  the directory and announce real changes (the payload is never trusted).
* Effect ``sonar.note``: write the bot's note on the Sonar account (verification, lockout, or
  a sticky re-enrolment reminder); never a PIN.
* Effect ``sonar.tick``: the ``logs`` backstop, the notes feed and, when due, an incremental
  sync; every worker queues one per minute (a periodic job keyed on the minute), so it runs in
  worker-only deployments too.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import Any

from bot.container import Container
from bot.services.notices import channels_from_settings
from bot.services.sonar_feed import NOTE_EFFECT, poll_changes, queue_notes, resolve_accounts
from bot.services.sonar_sync import (
    NoticeRouting,
    load_cursor,
    refresh_account,
    sync_accounts,
)
from bot.worker import ClaimedItem, enqueue_effect
from handlers.sonar.gateway import SonarGateway

__all__ = [
    "TICK_EFFECT",
    "TICK_SECONDS",
    "TriggerCache",
    "note_message",
    "queue_tick",
    "routing_for",
]

log = logging.getLogger(__name__)
TICK_EFFECT = "sonar.tick"
TICK_SECONDS = 60
MARKER = "[cpni-guard]"
_PRIORITY = {"verified": "NORMAL", "locked_out": "NORMAL", "reenrol": "STICKY_WITH_CONFIRMATION"}


class TriggerCache:
    """Sonar's triggered-message states, re-read at most every ``ttl`` seconds.

    When they cannot be read the answer is ``None`` (unknown), so ``auto`` falls back to
    cpni-guard notifying: a duplicate notice is better than none.
    """

    def __init__(self, gateway: SonarGateway, *, ttl: float = 600.0) -> None:
        self.gateway = gateway
        self.ttl = ttl
        self.value: dict[str, bool] | None = None
        self.read_at = -ttl

    def __call__(self) -> dict[str, bool] | None:
        if time.monotonic() - self.read_at >= self.ttl:
            try:
                self.value = self.gateway.trigger_states()
            except Exception:  # unreadable: unknown, never "covered by Sonar"
                log.warning("sonar triggered messages unreadable; cpni-guard notifies")
                self.value = None
            self.read_at = time.monotonic()
        return self.value


def routing_for(container: Container, gateway: SonarGateway) -> NoticeRouting:
    """The notice routing from the container's settings and policy."""
    settings = container.config.settings
    return NoticeRouting(
        policy=container.config.policy,
        channels=channels_from_settings(settings),
        password=settings.sonar_notify_password,
        address=settings.sonar_notify_address,
        triggers=TriggerCache(gateway),
    )


def note_message(payload: dict[str, Any]) -> str:
    """The note text for a ``sonar.note`` payload: who, where, when; never a PIN."""
    kind = payload["kind"]
    if kind == "reenrol":
        return (
            f"{MARKER} CPNI: this account's PIN must be re-enrolled (the PIN migrated from "
            "Sonar breaks the PIN policy). Verify the customer by other approved means first."
        )
    what = "PIN verified" if kind == "verified" else "PIN attempts locked out"
    surface = payload.get("surface") or "cpni-guard"
    return f"{MARKER} {what} in {surface} by {payload.get('actor', 'unknown')} at {payload['at']}"


def queue_tick(session: Any, *, now: datetime) -> bool:
    """Queue this minute's ``sonar.tick`` (one per minute slot; a second call is a no-op)."""
    slot = int(now.timestamp() // TICK_SECONDS)
    return enqueue_effect(
        session, key=f"{TICK_EFFECT}:{slot}", kind=TICK_EFFECT, payload={"slot": slot}, now=now
    )


def register_handlers(container: Container, gateway: SonarGateway) -> None:
    """Register the Sonar inbox and outbox handlers on ``container.registry``."""
    routing = routing_for(container, gateway)
    settings = container.config.settings
    registry = container.registry

    @registry.on_inbound("sonar", "webhook")
    def on_webhook(session: Any, item: ClaimedItem) -> None:
        payload = item.payload
        accounts = resolve_accounts(
            gateway, payload["model"], payload["object_id"], payload.get("hints") or ()
        )
        for account_id in accounts:
            refresh_account(session, gateway, account_id, routing=routing, now=container.clock())

    @registry.on_effect(NOTE_EFFECT)
    def on_note(item: ClaimedItem) -> dict[str, Any]:
        payload = item.payload
        note_id = gateway.write_note(
            payload["account"],
            note_message(payload),
            priority=_PRIORITY[payload["kind"]],
            marker=f"{MARKER} {'CPNI' if payload['kind'] == 'reenrol' else 'PIN'}",
        )
        return {"note_id": note_id}

    # Every worker (serve's and `cpni-guard worker`'s) queues the minute's tick; the key makes
    # it one per minute however many workers run. The tick's network work runs in the outbox.
    registry.every("sonar_tick", seconds=TICK_SECONDS)(
        lambda session, now: int(queue_tick(session, now=now))
    )

    @registry.on_effect(TICK_EFFECT)
    def on_tick(item: ClaimedItem) -> dict[str, Any]:
        now = container.clock()
        refreshed = poll_changes(container.database, gateway, routing=routing, now=now)
        notes = 0
        if settings.sonar_notes:
            with container.database.transaction() as session:
                notes = queue_notes(session, now=now)
        synced = _sync_if_due(container, gateway, routing, now=now)
        return {"refreshed": refreshed, "notes": notes, "synced": synced}


def _sync_if_due(
    container: Container, gateway: SonarGateway, routing: NoticeRouting, *, now: datetime
) -> bool:
    minutes = container.config.settings.sonar_sync_interval_minutes
    if not minutes:
        return False
    with container.database.transaction() as session:
        watermark = load_cursor(session, "sync").get("watermark")
    if watermark and datetime.fromisoformat(watermark) + timedelta(minutes=minutes) > now:
        return False
    sync_accounts(
        container.database,
        gateway,
        routing=routing,
        now=now,
        page_size=container.config.settings.sonar_page_size,
    )
    return True
