"""Multi-workspace install: slack_sdk's SQLAlchemy stores, with every token encrypted at rest.

slack_sdk's ``SQLAlchemyInstallationStore`` writes tokens in plain text (platform-notes.md A8),
so :class:`EncryptedInstallationStore` seals each token column with AES-256-GCM before a row
is written and opens it after a row is read. The key is ``CPNI_SLACK_TOKEN_KEY``: 32 bytes in
URL-safe base64 (``python -c "import base64,os;print(base64.urlsafe_b64encode(os.urandom(32))
.decode())"``; a Fernet key has the same form). AES-GCM rather than Fernet because its output
is short enough for slack_sdk's ``String(200)`` token columns. The tables come from our
migration ``0004`` (never ``create_tables()``). The async wrappers let bolt's ``AsyncApp`` use
the sync stores through a thread, so no database call runs on the event loop.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import copy
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy.engine import Engine

from bot.errors import ConfigurationError, IntegrationError

__all__ = [
    "AsyncInstallationStoreAdapter",
    "AsyncStateStoreAdapter",
    "EncryptedInstallationStore",
    "TokenCipher",
]

_PREFIX = "enc1:"
_TOKEN_FIELDS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")


class TokenCipher:
    """AES-256-GCM sealing of tokens, ``enc1:`` + base64url(nonce || ciphertext || tag)."""

    def __init__(self, key: str) -> None:
        try:
            raw = base64.urlsafe_b64decode(key.strip().encode())
        except (binascii.Error, ValueError) as exc:
            raise ConfigurationError(["CPNI_SLACK_TOKEN_KEY: not URL-safe base64"]) from exc
        if len(raw) != 32:
            raise ConfigurationError(["CPNI_SLACK_TOKEN_KEY: must decode to 32 bytes"])
        self._aead = AESGCM(raw)

    def seal(self, token: str | None) -> str | None:
        """The sealed form of ``token`` (None stays None; sealed input is returned as is)."""
        if token is None or token.startswith(_PREFIX):
            return token
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, token.encode(), b"slack-token")
        return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")

    def open(self, value: str | None) -> str | None:
        """The token sealed in ``value``.

        Raises:
            IntegrationError: the value was sealed with another key or was altered.
        """
        if value is None or not value.startswith(_PREFIX):
            return value
        data = value[len(_PREFIX) :]
        raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
        try:
            return self._aead.decrypt(raw[:12], raw[12:], b"slack-token").decode()
        except InvalidTag as exc:
            raise IntegrationError("a stored Slack token cannot be decrypted (wrong key?)") from exc


def _sealed(entity: Any, transform: Any) -> Any:
    clone = copy.copy(entity)
    for name in _TOKEN_FIELDS:
        if hasattr(clone, name):
            setattr(clone, name, transform(getattr(clone, name)))
    return clone


class EncryptedInstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's SQLAlchemy installation store, with tokens sealed before every write."""

    def __init__(self, *, client_id: str, engine: Engine, cipher: TokenCipher) -> None:
        super().__init__(client_id=client_id, engine=engine)
        self.cipher = cipher

    def save(self, installation: Installation) -> None:
        """Store the installation (and its bot) with sealed tokens."""
        super().save(_sealed(installation, self.cipher.seal))

    def save_bot(self, bot: Bot) -> None:
        """Store the bot with its tokens sealed (already sealed values are left alone)."""
        super().save_bot(_sealed(bot, self.cipher.seal))

    def build_installation_entity(self, row: Any) -> Installation:  # type: ignore[override]
        """An installation read back, tokens opened."""
        entity = SQLAlchemyInstallationStore.build_installation_entity(row)
        return _sealed(entity, self.cipher.open)  # type: ignore[no-any-return]

    def build_bot_entity(self, row: Any) -> Bot:  # type: ignore[override]
        """A bot read back, tokens opened."""
        entity = SQLAlchemyInstallationStore.build_bot_entity(row)
        return _sealed(entity, self.cipher.open)  # type: ignore[no-any-return]

    def bot_token_for(self, team: str) -> str | None:
        """The newest bot token of ``team`` (the worker's token lookup)."""
        bot = self.find_bot(enterprise_id=None, team_id=team)
        return bot.bot_token if bot else None


class AsyncInstallationStoreAdapter(AsyncInstallationStore):
    """Runs a sync installation store in a thread for bolt's ``AsyncApp``."""

    def __init__(self, store: SQLAlchemyInstallationStore) -> None:
        self.store = store

    @property
    def logger(self) -> Any:
        """The wrapped store's logger."""
        return self.store.logger

    async def async_save(self, installation: Installation) -> None:
        """See ``InstallationStore.save``."""
        await asyncio.to_thread(self.store.save, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        """See ``InstallationStore.save_bot``."""
        await asyncio.to_thread(self.store.save_bot, bot)

    async def async_find_bot(self, **kwargs: Any) -> Bot | None:
        """See ``InstallationStore.find_bot``."""
        return await asyncio.to_thread(lambda: self.store.find_bot(**kwargs))

    async def async_find_installation(self, **kwargs: Any) -> Installation | None:
        """See ``InstallationStore.find_installation``."""
        return await asyncio.to_thread(lambda: self.store.find_installation(**kwargs))

    async def async_delete_bot(self, **kwargs: Any) -> None:
        """See ``InstallationStore.delete_bot``."""
        await asyncio.to_thread(lambda: self.store.delete_bot(**kwargs))

    async def async_delete_installation(self, **kwargs: Any) -> None:
        """See ``InstallationStore.delete_installation``."""
        await asyncio.to_thread(lambda: self.store.delete_installation(**kwargs))


class AsyncStateStoreAdapter(AsyncOAuthStateStore):
    """Runs slack_sdk's SQLAlchemy OAuth state store in a thread."""

    def __init__(self, store: SQLAlchemyOAuthStateStore) -> None:
        self.store = store

    @property
    def logger(self) -> Any:
        """The wrapped store's logger."""
        return self.store.logger

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        """A new single-use state value."""
        return await asyncio.to_thread(self.store.issue)

    async def async_consume(self, state: str) -> bool:
        """Whether ``state`` was issued and unexpired (it is used up)."""
        return await asyncio.to_thread(self.store.consume, state)
