"""argon2id PIN hashing over an HMAC-SHA256 pepper, with a bounded number of hashes at once.

The recipe, per PIN:

1. ``peppered = HMAC-SHA256(pepper_key, b"cpni-guard/pin/v1\\x00" + utf8(pin))`` (32 bytes).
   The context label separates this use of the key from any other; the fixed-size output also
   bounds argon2's input, whatever the caller passes.
2. ``hash = argon2id(peppered)`` with a random 16-byte salt and the configured parameters
   (default: RFC 9106's second recommended, low-memory profile: t=3, m=64 MiB, p=4).
3. The pepper key id is stored beside the hash (``StoredPin``), so keys can rotate.

Verification follows Django's and argon2-cffi's login recipe (style rule 3): results are values
``(ok, needs_rehash)``; a retired key or outdated parameters ask for a rehash; and a caller with
no hash to check (unknown account, no PIN on file) calls ``dummy_verify`` so the response time
does not reveal which accounts exist (Django's CVE-2024-39329 fix).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final

from argon2 import Parameters, PasswordHasher, Type, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from bot.errors import CpniBotError
from bot.security._pepper import PepperKey, PepperRing

__all__ = [
    "DEFAULT_PARAMETERS",
    "TEST_PARAMETERS",
    "HasherBusyError",
    "PinHasher",
    "StoredPin",
    "VerifyResult",
]

logger = logging.getLogger(__name__)

DEFAULT_PARAMETERS: Final[Parameters] = profiles.RFC_9106_LOW_MEMORY
"""argon2id, t=3 passes, m=65536 KiB (64 MiB), p=4 lanes, 16-byte salt, 32-byte tag."""

TEST_PARAMETERS: Final[Parameters] = profiles.CHEAPEST
"""argon2-cffi's cheapest profile (m=8 KiB, t=1). For tests only: it protects nothing."""

_CONTEXT: Final = b"cpni-guard/pin/v1\x00"


@dataclass(frozen=True)
class StoredPin:
    """What is persisted for a PIN: the argon2id hash string and the pepper key id.

    Attributes:
        hash: the PHC-format argon2id string (about 100 ASCII characters with the default
            profile). Never logged, audited or shown: the repr masks it.
        key_id: the id of the pepper key the PIN was keyed with (not secret).
    """

    hash: str
    key_id: str

    def __repr__(self) -> str:
        return f"StoredPin(key_id={self.key_id!r}, hash=<redacted>)"

    __str__ = __repr__


@dataclass(frozen=True)
class VerifyResult:
    """The result of a PIN check.

    Attributes:
        ok: the PIN matched the stored hash.
        needs_rehash: only when ``ok``: the hash used a retired pepper key or outdated argon2
            parameters, so the caller should store ``hasher.hash(pin)`` in its place now,
            while it holds the clear PIN.
    """

    ok: bool
    needs_rehash: bool = False


_MISMATCH: Final = VerifyResult(ok=False, needs_rehash=False)


class HasherBusyError(CpniBotError):
    """No hashing slot became free in time; the caller must fail closed (thread stays locked)."""


class PinHasher:
    """Hashes and verifies PINs with argon2id over a peppered HMAC, bounding concurrency.

    Every argon2 computation (hash, verify, dummy) runs inside a ``BoundedSemaphore`` of
    ``max_concurrency`` slots, so peak hashing memory is at most
    ``max_concurrency * parameters.memory_cost`` KiB (256 MiB with the defaults).

    Args:
        pepper: the current pepper key and retired ones.
        parameters: argon2 parameters; must be argon2id. Defaults to ``DEFAULT_PARAMETERS``.
            Tests pass ``TEST_PARAMETERS`` (style rule 7).
        max_concurrency: number of argon2 computations allowed at once in this process.
        acquire_timeout: seconds to wait for a slot before raising ``HasherBusyError``;
            ``None`` waits forever.

    Raises:
        ValueError: a non-argon2id type, ``max_concurrency < 1`` or a negative timeout. The
            parameters are also exercised once here (the dummy hash), so bad ones fail at
            start-up, not at the first customer (style rule 6).
    """

    def __init__(
        self,
        pepper: PepperRing,
        *,
        parameters: Parameters = DEFAULT_PARAMETERS,
        max_concurrency: int = 4,
        acquire_timeout: float | None = 10.0,
    ) -> None:
        problems = []
        if parameters.type is not Type.ID:
            problems.append("argon2 parameters must use type argon2id")
        if max_concurrency < 1:
            problems.append("max_concurrency must be at least 1")
        if acquire_timeout is not None and acquire_timeout < 0:
            problems.append("acquire_timeout must be non-negative seconds or None")
        if problems:
            raise ValueError("; ".join(problems))
        self._pepper = pepper
        self._parameters = parameters
        self._max_concurrency = max_concurrency
        self._timeout = acquire_timeout
        self._argon2 = PasswordHasher.from_parameters(parameters)
        self._slots = threading.BoundedSemaphore(max_concurrency)
        # A hash of random bytes that no PIN can match; dummy_verify checks against it so the
        # cost equals one real verification (CVE-2024-39329).
        with self._slot():
            self._dummy_hash = self._argon2.hash(secrets.token_bytes(32))

    @property
    def parameters(self) -> Parameters:
        """The argon2 parameters new hashes are made with."""
        return self._parameters

    @property
    def current_key_id(self) -> str:
        """The pepper key id new hashes are stored with."""
        return self._pepper.current.key_id

    def hash(self, pin: str) -> StoredPin:
        """Hash a PIN under the current pepper key and parameters (one argon2 computation).

        Args:
            pin: the clear PIN. Its format is the caller's business (see ``pin_policy``).

        Returns:
            The hash and the current key id, to be stored together.

        Raises:
            HasherBusyError: no hashing slot became free within ``acquire_timeout``.
        """
        key = self._pepper.current
        peppered = _pepper(pin, key)
        with self._slot():
            encoded = self._argon2.hash(peppered)
        return StoredPin(hash=encoded, key_id=key.key_id)

    def verify(self, pin: str, stored: StoredPin) -> VerifyResult:
        """Check a PIN against a stored hash; costs one argon2 computation whatever happens.

        A hash naming an unconfigured key id, or one that cannot be parsed, is refused after
        a dummy computation (fail closed, constant cost) and logged by key id only.

        Args:
            pin: the clear PIN offered.
            stored: the stored hash and pepper key id.

        Returns:
            ``VerifyResult(ok, needs_rehash)``; a wrong PIN is ``ok=False``, never an exception.

        Raises:
            HasherBusyError: no hashing slot became free within ``acquire_timeout``.
        """
        key = self._pepper.find(stored.key_id)
        if key is None:
            logger.warning("stored PIN names unknown pepper key id %r; refused", stored.key_id)
            return self.dummy_verify(pin)
        try:
            with self._slot():
                self._argon2.verify(stored.hash, _pepper(pin, key))
        except VerifyMismatchError:
            return _MISMATCH
        except (InvalidHashError, VerificationError):
            logger.warning("stored PIN hash for key id %r is unreadable; refused", key.key_id)
            return self.dummy_verify(pin)
        retired = key is not self._pepper.current
        return VerifyResult(ok=True, needs_rehash=retired or self._outdated(stored.hash))

    def dummy_verify(self, pin: str) -> VerifyResult:
        """Spend one verification's cost on nothing, for a caller with no hash to check.

        Use it for an unknown account or an account without a PIN, so that those answers take
        as long as a wrong PIN (style rule 3; Django CVE-2024-39329).

        Args:
            pin: the clear PIN offered (keyed and checked against a hash no PIN matches).

        Returns:
            Always ``VerifyResult(ok=False, needs_rehash=False)``.

        Raises:
            HasherBusyError: no hashing slot became free within ``acquire_timeout``.
        """
        peppered = _pepper(pin, self._pepper.current)
        try:
            with self._slot():
                self._argon2.verify(self._dummy_hash, peppered)
        except VerifyMismatchError:
            pass
        return _MISMATCH

    def _outdated(self, encoded: str) -> bool:
        """Whether a hash that just verified was made with other argon2 parameters."""
        try:
            return self._argon2.check_needs_rehash(encoded)
        except InvalidHashError:  # pragma: no cover - it verified, so it parses
            return True

    @contextmanager
    def _slot(self) -> Iterator[None]:
        """Hold one of the bounded hashing slots for the duration of the block."""
        if self._timeout is None:
            acquired = self._slots.acquire()
        else:
            acquired = self._slots.acquire(timeout=self._timeout)
        if not acquired:
            raise HasherBusyError("no PIN hashing slot became free in time")
        try:
            yield
        finally:
            self._slots.release()

    def __repr__(self) -> str:
        p = self._parameters
        return (
            f"PinHasher(pepper={self._pepper!r}, time_cost={p.time_cost}, "
            f"memory_cost_kib={p.memory_cost}, parallelism={p.parallelism}, "
            f"max_concurrency={self._max_concurrency})"
        )

    __str__ = __repr__


def _pepper(pin: str, key: PepperKey) -> bytes:
    """Key the PIN with HMAC-SHA256 under ``key``; 32 bytes go on to argon2id."""
    return hmac.new(
        key.secret, _CONTEXT + pin.encode("utf-8", "surrogatepass"), hashlib.sha256
    ).digest()
