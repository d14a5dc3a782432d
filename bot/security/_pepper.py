"""Pepper keys: the server-side secret that keys every PIN before it is hashed.

A pepper is an HMAC-SHA256 key that lives only in the process environment, never in the
database. A stolen database alone therefore does not allow an offline guess of a 4-to-8-digit
PIN, which argon2id by itself cannot prevent (10**8 candidates at most).

Environment format (chosen here, documented in ``docs/pin-vault.md``)::

    CPNI_PIN_PEPPER=<key id>:<base64 secret>
    CPNI_PIN_PEPPER_FALLBACKS=<key id>:<base64 secret>,<key id>:<base64 secret>

* The key id is chosen by the operator: 1 to 32 characters from ``A-Z a-z 0-9 . _ -``,
  starting with a letter or digit (for example ``k2`` or ``2025-03``). It is stored beside
  every hash, so it is not secret; it is also never reused for a different secret.
* The secret is standard or URL-safe base64, padding optional, and must decode to at least
  32 bytes (256 bits). Generate one with
  ``python -c "import secrets; print(secrets.token_urlsafe(32))"``.

Errors never quote a secret: entries are named by position, and only ids that passed their
own syntax check are quoted. A secret cannot pass the id check, because 32 bytes encode to at
least 43 base64 characters while an id has at most 32.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Final

__all__ = [
    "MIN_PEPPER_BYTES",
    "PepperConfigError",
    "PepperKey",
    "PepperRing",
    "parse_pepper_keys",
]

MIN_PEPPER_BYTES: Final = 32
"""Minimum pepper secret length in bytes (256 bits, the HMAC-SHA256 block-safe key size)."""

_KEY_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
_B64_BODY: Final = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")
_CURRENT_NAME: Final = "CPNI_PIN_PEPPER"
_FALLBACKS_NAME: Final = "CPNI_PIN_PEPPER_FALLBACKS"


@dataclass(frozen=True)
class PepperKey:
    """One pepper key: a public id and a secret that never appears in a repr.

    Attributes:
        key_id: the operator-chosen id stored beside each hash (not secret).
        secret: the raw HMAC key, at least ``MIN_PEPPER_BYTES`` bytes.
    """

    key_id: str
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not _KEY_ID.fullmatch(self.key_id):
            raise ValueError("pepper key id must be 1-32 characters of A-Z a-z 0-9 . _ -")
        if len(self.secret) < MIN_PEPPER_BYTES:
            raise ValueError(f"pepper secret must be at least {MIN_PEPPER_BYTES} bytes")

    def __repr__(self) -> str:
        return f"PepperKey(key_id={self.key_id!r}, secret=<redacted>)"

    __str__ = __repr__


@dataclass(frozen=True)
class PepperRing:
    """The current pepper key, which hashes new PINs, plus retired keys that still verify.

    Attributes:
        current: the key every new hash is made with.
        fallbacks: retired keys, tried only when a stored hash names their id. A PIN that
            verifies under one of them is reported as needing a rehash (style rule 3).
    """

    current: PepperKey
    fallbacks: tuple[PepperKey, ...] = ()

    def __post_init__(self) -> None:
        ids = [self.current.key_id, *(k.key_id for k in self.fallbacks)]
        if len(set(ids)) != len(ids):
            raise ValueError("pepper key ids must be unique across current and fallback keys")

    def find(self, key_id: str) -> PepperKey | None:
        """Return the key with this id, or ``None`` when no configured key has it."""
        if key_id == self.current.key_id:
            return self.current
        return next((k for k in self.fallbacks if k.key_id == key_id), None)

    @property
    def key_ids(self) -> tuple[str, ...]:
        """All configured key ids, current first."""
        return (self.current.key_id, *(k.key_id for k in self.fallbacks))

    def __repr__(self) -> str:
        retired = tuple(k.key_id for k in self.fallbacks)
        return f"PepperRing(current={self.current.key_id!r}, fallbacks={retired!r})"

    __str__ = __repr__


class PepperConfigError(ValueError):
    """The pepper settings are invalid. ``problems`` lists each one; none quotes a secret.

    Args:
        problems: one line per problem, each naming the environment variable concerned.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def parse_pepper_keys(current: str, fallbacks: str | None = None) -> PepperRing:
    """Parse ``CPNI_PIN_PEPPER`` and ``CPNI_PIN_PEPPER_FALLBACKS`` into a ``PepperRing``.

    Args:
        current: the value of ``CPNI_PIN_PEPPER``: one ``<key id>:<base64 secret>`` entry.
        fallbacks: the value of ``CPNI_PIN_PEPPER_FALLBACKS``: comma-separated entries of the
            same form, or ``None``/blank when no key has been retired.

    Returns:
        The ring with the current key and the fallback keys in the order given.

    Raises:
        PepperConfigError: (a ``ValueError``) listing every problem found, never quoting a
            secret, so the config loader can aggregate it (style rule 6).
    """
    problems: list[str] = []
    current_keys = _parse_entries(current, name=_CURRENT_NAME, problems=problems)
    if len(current_keys) != 1 and not problems:
        problems.append(f"{_CURRENT_NAME} must hold exactly one <key id>:<base64 secret> entry")
    fallback_keys = _parse_entries(fallbacks or "", name=_FALLBACKS_NAME, problems=problems)
    keys = current_keys[:1] + fallback_keys
    problems.extend(_duplicate_problems(keys))
    if problems or not current_keys:
        raise PepperConfigError(problems or [f"{_CURRENT_NAME} is empty"])
    return PepperRing(current=current_keys[0], fallbacks=tuple(fallback_keys))


def _parse_entries(raw: str, *, name: str, problems: list[str]) -> list[PepperKey]:
    """Parse a comma-separated list of entries, appending problems instead of raising."""
    keys: list[PepperKey] = []
    entries = [e.strip() for e in raw.split(",")] if raw.strip() else []
    for position, entry in enumerate(entries, start=1):
        where = f"{name} entry {position}"
        key = _parse_entry(entry, where=where, problems=problems)
        if key is not None:
            keys.append(key)
    if name == _CURRENT_NAME and not entries:
        problems.append(f"{_CURRENT_NAME} is empty; it must be <key id>:<base64 secret>")
    return keys


def _parse_entry(entry: str, *, where: str, problems: list[str]) -> PepperKey | None:
    """Parse one ``<key id>:<base64 secret>`` entry; every message omits the entry text."""
    key_id, sep, encoded = entry.partition(":")
    if not sep or not key_id or not encoded:
        problems.append(f"{where} is not of the form <key id>:<base64 secret>")
        return None
    ok = True
    if not _KEY_ID.fullmatch(key_id):
        problems.append(f"{where}: the key id must be 1-32 characters of A-Z a-z 0-9 . _ -")
        ok = False
    secret = _decode_secret(encoded)
    if secret is None:
        problems.append(f"{where}: the secret is not valid base64")
        ok = False
    elif len(secret) < MIN_PEPPER_BYTES:
        problems.append(
            f"{where}: the secret decodes to {len(secret)} bytes; at least "
            f"{MIN_PEPPER_BYTES} are required"
        )
        ok = False
    if not ok or secret is None:
        return None
    return PepperKey(key_id=key_id, secret=secret)


def _decode_secret(encoded: str) -> bytes | None:
    """Decode standard or URL-safe base64 with optional padding; ``None`` if invalid."""
    if not _B64_BODY.fullmatch(encoded):
        return None
    normalised = encoded.rstrip("=").replace("-", "+").replace("_", "/")
    normalised += "=" * (-len(normalised) % 4)
    try:
        return base64.b64decode(normalised, validate=True)
    except (binascii.Error, ValueError):
        return None


def _duplicate_problems(keys: list[PepperKey]) -> list[str]:
    """Name reused key ids and secrets configured twice (a likely copy-paste mistake)."""
    problems: list[str] = []
    seen_ids: set[str] = set()
    for key in keys:
        if key.key_id in seen_ids:
            problems.append(f"pepper key id {key.key_id!r} is configured more than once")
        seen_ids.add(key.key_id)
    secrets = [k.secret for k in keys]
    if len(set(secrets)) != len(secrets):
        problems.append("the same pepper secret is configured under two key ids")
    return problems
