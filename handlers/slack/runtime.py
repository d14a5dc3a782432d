"""The Slack surface's long-lived parts, built once per container: gateway, pools, stores.

Bolt listeners are async; the core is sync (DESIGN.md section 3). Listeners call the core
through two bounded thread pools: ``ack_pool`` for short database work on the acknowledgement
path (inbox commits, views) and ``pin_pool`` for PIN verification (argon2, CPU-bound), sized by
``CPNI_PIN_HASH_CONCURRENCY`` so that many verifications in flight never starve event acks.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from bot.config import Settings
from bot.container import Container
from handlers.slack.gateway import SlackGateway
from handlers.slack.oauth import EncryptedInstallationStore, TokenCipher

__all__ = ["SlackRuntime", "runtime_for"]

T = TypeVar("T")
_SUPERVISOR_CACHE_SECONDS = 60.0


@dataclass
class SlackRuntime:
    """Everything the Slack listeners and outbox handlers share for one container."""

    container: Container
    gateway: SlackGateway
    ack_pool: ThreadPoolExecutor
    pin_pool: ThreadPoolExecutor
    installation_store: EncryptedInstallationStore | None = None
    state_store: SQLAlchemyOAuthStateStore | None = None
    vault: Any = None
    _supervisors: dict[str, tuple[float, frozenset[str]]] = field(default_factory=dict, repr=False)

    @property
    def settings(self) -> Settings:
        """The validated settings."""
        return self.container.config.settings

    async def run(self, func: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run sync core code in the acknowledgement pool, off the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.ack_pool, functools.partial(func, *args, **kwargs))

    async def run_pin(self, func: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run a PIN verification in its own bounded pool."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pin_pool, functools.partial(func, *args, **kwargs))

    def pin_verifier(self) -> Any:
        """The PIN vault: the container's, unless a test put another in ``vault``."""
        return self.vault if self.vault is not None else self.container.vault

    def cached_supervisors(self, team: str, now: float | None = None) -> frozenset[str] | None:
        """The supervisor group's members in ``team`` if fetched within the last minute."""
        now = time.monotonic() if now is None else now
        found = self._supervisors.get(team)
        if found and now - found[0] < _SUPERVISOR_CACHE_SECONDS:
            return found[1]
        return None

    def remember_supervisors(self, team: str, users: frozenset[str]) -> None:
        """Cache the supervisor group's members in ``team``."""
        self._supervisors[team] = (time.monotonic(), users)


_RUNTIMES: dict[int, SlackRuntime] = {}


def runtime_for(container: Container) -> SlackRuntime:
    """The runtime of ``container``, built on first use."""
    found = _RUNTIMES.get(id(container))
    if found is not None and found.container is container:
        return found
    settings = container.config.settings
    store = None
    state_store = None
    if settings.slack_client_id and settings.slack_token_key:
        cipher = TokenCipher(settings.slack_token_key.get_secret_value())
        store = EncryptedInstallationStore(
            client_id=settings.slack_client_id, engine=container.database.engine, cipher=cipher
        )
        state_store = SQLAlchemyOAuthStateStore(
            expiration_seconds=600, engine=container.database.engine
        )
    single = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None

    def token_for(team: str) -> str | None:
        if store is not None:
            return store.bot_token_for(team) or single
        return single

    runtime = SlackRuntime(
        container=container,
        gateway=SlackGateway(base_url=settings.slack_api_url, token_for=token_for),
        ack_pool=ThreadPoolExecutor(settings.slack_ack_threads, thread_name_prefix="slack-ack"),
        pin_pool=ThreadPoolExecutor(settings.pin_hash_concurrency, thread_name_prefix="slack-pin"),
        installation_store=store,
        state_store=state_store,
    )
    _RUNTIMES[id(container)] = runtime
    return runtime
