"""Security primitives: argon2id PIN hashing with a pepper, tokens and HMAC signatures.

``bot.security`` implements ports that ``bot.services`` declares; the domain never imports it.
Nothing here logs or returns a PIN, a hash, a token or a key in clear: reprs are masked.
"""

from __future__ import annotations

from bot.security._pepper import (
    MIN_PEPPER_BYTES,
    PepperConfigError,
    PepperKey,
    PepperRing,
    parse_pepper_keys,
)
from bot.security.hasher import (
    DEFAULT_PARAMETERS,
    TEST_PARAMETERS,
    HasherBusyError,
    PinHasher,
    StoredPin,
    VerifyResult,
)
from bot.security.tokens import (
    DEFAULT_SIGNATURE_TOLERANCE,
    SignatureCheck,
    check_signature,
    hash_token,
    hmac_sha256_b64,
    new_token,
    tokens_equal,
    verify_signature,
)

__all__ = [
    "DEFAULT_PARAMETERS",
    "DEFAULT_SIGNATURE_TOLERANCE",
    "MIN_PEPPER_BYTES",
    "TEST_PARAMETERS",
    "HasherBusyError",
    "PepperConfigError",
    "PepperKey",
    "PepperRing",
    "PinHasher",
    "SignatureCheck",
    "StoredPin",
    "VerifyResult",
    "check_signature",
    "hash_token",
    "hmac_sha256_b64",
    "new_token",
    "parse_pepper_keys",
    "tokens_equal",
    "verify_signature",
]
