"""The composition root of the core: everything built once from the validated configuration.

Adapters (``handlers``) plug in through entry points rather than imports, so the core never
depends on them (DESIGN.md section 2): ``cpni_guard.handlers`` entries register inbox/outbox
handlers on the worker registry, and the ``cpni_guard.web`` entry ``app`` builds the ASGI app.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from importlib.metadata import entry_points
from typing import Any

from sqlalchemy.orm import Session

from bot.clock import Clock, utcnow
from bot.config import AppConfig
from bot.domain.detection import Detector
from bot.domain.incidents import BreachRule
from bot.services import conversations
from bot.services.conversations import default_detector
from bot.services.incidents import AlertTargets, check_event
from bot.services.pin_vault import PinVault, build_vault
from bot.storage.audit_log import INCIDENT_CHECK_KIND, INCIDENT_CHECK_SOURCE
from bot.storage.db import Database
from bot.worker import Backoff, ClaimedItem, HandlerRegistry, Worker

__all__ = ["HANDLERS_GROUP", "WEB_GROUP", "Container", "build_container", "load_web_app"]

HANDLERS_GROUP = "cpni_guard.handlers"
WEB_GROUP = "cpni_guard.web"
log = logging.getLogger(__name__)


@dataclass
class Container:
    """The built application: configuration, database, clock and worker registry."""

    config: AppConfig
    database: Database
    clock: Clock = utcnow
    registry: HandlerRegistry = field(default_factory=HandlerRegistry)
    workers: list[Worker] = field(default_factory=list)
    #: Start-up options for adapters (e.g. ``slack_socket_mode``), set by the command line.
    options: dict[str, Any] = field(default_factory=dict)
    _vault: PinVault | None = field(default=None, repr=False)
    _vault_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def vault(self) -> PinVault:
        """The PIN vault, built once on first use (it loads the pepper and argon2 profile)."""
        with self._vault_lock:
            if self._vault is None:
                self._vault = build_vault(self.config, self.database)
            return self._vault

    @vault.setter
    def vault(self, vault: PinVault) -> None:
        with self._vault_lock:
            self._vault = vault

    @cached_property
    def detector(self) -> Detector:
        """The CPNI detector compiled from the policy's ``detection`` section, once.

        Cached on the container: the policy is hashed by value, which is too costly per message.
        """
        return default_detector(self.config.policy.detection)

    def new_worker(self, *, worker_id: str | None = None) -> Worker:
        """A worker over this container's database and handlers, configured by settings."""
        s = self.config.settings
        worker = Worker(
            self.database,
            self.registry,
            worker_id=worker_id,
            lease_seconds=s.worker_lease_seconds,
            batch_size=s.worker_batch_size,
            clock=self.clock,
            backoff=Backoff(
                base_seconds=s.worker_backoff_base_seconds,
                max_seconds=s.worker_backoff_max_seconds,
                max_attempts=s.worker_max_attempts,
            ),
        )
        self.workers.append(worker)
        return worker

    def wake_workers(self) -> None:
        """Nudge in-process workers after an enqueue so latency is not one poll interval."""
        for worker in self.workers:
            worker.wakeup.set()


def build_container(config: AppConfig, *, clock: Clock = utcnow, plugins: bool = True) -> Container:
    """Build the container and let every installed adapter register its handlers."""
    container = Container(
        config=config, database=Database(config.settings.database_url), clock=clock
    )
    _register_core_jobs(container)
    if plugins:
        for entry in entry_points(group=HANDLERS_GROUP):
            register: Callable[[Container], None] = entry.load()
            register(container)
            log.debug("adapter registered", extra={"adapter": entry.name})
    return container


def _register_core_jobs(container: Container) -> None:
    registry, settings = container.registry, container.config.settings

    @registry.every("expire_verifications", seconds=15)
    def expire(session: Session, now: datetime) -> int:
        # R17: a verification lapses after its lifetime; the note says so at once.
        return len(conversations.expire_due(session, now=now))

    @registry.on_inbound(INCIDENT_CHECK_SOURCE, INCIDENT_CHECK_KIND)
    def incident_check(session: Session, item: ClaimedItem) -> None:
        # R26-R28, R35: audit events that may be incidents are checked as they are appended.
        check_event(
            session,
            int(item.payload["event_id"]),
            now=container.clock(),
            rule=BreachRule(settings.breach_rule),
            alerts=AlertTargets(settings.alert_slack_channel, settings.alert_email),
        )


def load_web_app(container: Container) -> Any:
    """The ASGI application built by the installed web adapter."""
    found = {entry.name: entry for entry in entry_points(group=WEB_GROUP)}
    if "app" not in found:
        raise RuntimeError("no web adapter is installed (entry point cpni_guard.web:app)")
    factory: Callable[[Container], Any] = found["app"].load()
    return factory(container)
