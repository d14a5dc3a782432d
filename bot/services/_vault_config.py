"""Building the vault's parts from settings: argon2 parameters and the pepper ring.

When ``CPNI_PIN_PEPPER`` is unset and the database is the embedded SQLite file, a pepper file
``<database file>.pepper`` (mode 0600, one random 32-byte key, id ``local1``) is loaded or
created next to it, with a warning, so ``cpni-guard serve`` works out of the box. Keep that
file out of the database's backups: together they allow offline guessing. On PostgreSQL (many
replicas) an unset pepper is a configuration error: every replica must share one.
"""

from __future__ import annotations

import base64
import dataclasses
import logging
import os
import secrets
import stat
from pathlib import Path
from typing import Final

from argon2 import Parameters, profiles

from bot.config import Settings
from bot.errors import ConfigurationError
from bot.security import PepperConfigError, PepperKey, PepperRing, parse_pepper_keys
from bot.storage.db import Database

__all__ = ["LOCAL_KEY_ID", "argon2_parameters", "load_pepper", "pepper_file_for"]

log = logging.getLogger(__name__)

LOCAL_KEY_ID: Final = "local1"
_PROFILES: Final[dict[str, Parameters]] = {
    "rfc9106_low_memory": profiles.RFC_9106_LOW_MEMORY,
    "cheapest": profiles.CHEAPEST,
}


def argon2_parameters(settings: Settings) -> Parameters:
    """The argon2id parameters: ``CPNI_ARGON2_PROFILE`` with any explicit overrides."""
    base = _PROFILES[settings.argon2_profile]
    return dataclasses.replace(
        base,
        time_cost=settings.argon2_time_cost or base.time_cost,
        memory_cost=settings.argon2_memory_kib or base.memory_cost,
        parallelism=settings.argon2_parallelism or base.parallelism,
    )


def pepper_file_for(database: Database) -> Path | None:
    """Where the embedded database's pepper file lives, or ``None`` if not a SQLite file."""
    name = database.url.database
    if database.dialect != "sqlite" or name in (None, "", ":memory:"):
        return None
    return Path(f"{name}.pepper")


def load_pepper(settings: Settings, database: Database) -> PepperRing:
    """The pepper ring from settings, or the embedded database's local pepper file.

    Raises:
        ConfigurationError: invalid pepper settings (never quoting a secret), or no pepper
            while the database is PostgreSQL (naming ``CPNI_PIN_PEPPER``).
    """
    fallbacks = (
        settings.pin_pepper_fallbacks.get_secret_value() if settings.pin_pepper_fallbacks else None
    )
    if settings.pin_pepper is not None:
        return _parse(settings.pin_pepper.get_secret_value(), fallbacks)
    path = pepper_file_for(database)
    if path is None and database.dialect == "sqlite":
        log.warning("CPNI_PIN_PEPPER is unset: using a throw-away pepper for an in-memory database")
        return PepperRing(current=PepperKey(LOCAL_KEY_ID, secrets.token_bytes(32)))
    if path is None:
        raise ConfigurationError(
            [
                "CPNI_PIN_PEPPER: required with PostgreSQL (every replica must share the pepper); "
                "see docs/pin-vault.md"
            ]
        )
    current = _load_or_create(path)
    return _parse(current, fallbacks)


def _parse(current: str, fallbacks: str | None) -> PepperRing:
    try:
        return parse_pepper_keys(current, fallbacks)
    except PepperConfigError as exc:
        raise ConfigurationError(exc.problems) from None


def _load_or_create(path: Path) -> str:
    """Read the local pepper file, creating it (0600, exclusive) on first use."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            log.warning(
                "the pepper file %s is readable by others (mode %o); chmod 600 it", path, mode
            )
        log.warning("CPNI_PIN_PEPPER is unset: using the local pepper file %s", path)
        return path.read_text(encoding="ascii").strip()
    entry = f"{LOCAL_KEY_ID}:{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()}"
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(entry + "\n")
    log.warning(
        "CPNI_PIN_PEPPER is unset: created the local pepper file %s; keep it out of backups "
        "of the database, and set CPNI_PIN_PEPPER before moving to PostgreSQL",
        path,
    )
    return entry
