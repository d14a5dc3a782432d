"""Specification of the PIN hasher and of pepper key parsing (issue 3, DESIGN section 3)."""

from __future__ import annotations

import base64
import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.security import (
    DEFAULT_PARAMETERS,
    TEST_PARAMETERS,
    HasherBusyError,
    PepperConfigError,
    PepperKey,
    PepperRing,
    PinHasher,
    StoredPin,
    VerifyResult,
    parse_pepper_keys,
)

SECRET_1 = bytes(range(32))
SECRET_2 = bytes(range(100, 140))
B64_1 = base64.b64encode(SECRET_1).decode()
B64_2 = base64.urlsafe_b64encode(SECRET_2).decode().rstrip("=")
PIN = "48213"


def _ring(current: str = "k2", *retired: str) -> PepperRing:
    secrets = {"k1": SECRET_1, "k2": SECRET_2, "k3": bytes(range(50, 90))}
    return PepperRing(
        current=PepperKey(current, secrets[current]),
        fallbacks=tuple(PepperKey(k, secrets[k]) for k in retired),
    )


def _hasher(ring: PepperRing | None = None, **kwargs: object) -> PinHasher:
    return PinHasher(ring or _ring("k2", "k1"), parameters=TEST_PARAMETERS, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def argon2_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Record the hash string of every argon2 verification the hasher makes."""
    calls: list[str] = []
    original = PasswordHasher.verify

    def spy(hasher: PasswordHasher, hash: str, password: bytes) -> bool:
        calls.append(hash)
        return original(hasher, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", spy)
    yield calls


# --- hashing and verification -------------------------------------------------------------


def test_hash_then_verify_accepts_the_same_pin() -> None:
    """A PIN verifies against its own hash, with no rehash needed."""
    hasher = _hasher()
    assert hasher.verify(PIN, hasher.hash(PIN)) == VerifyResult(ok=True, needs_rehash=False)


def test_wrong_pin_is_a_false_result_not_an_exception() -> None:
    """A wrong PIN returns ok=False (style rule 2), never needs_rehash."""
    hasher = _hasher()
    assert hasher.verify("48214", hasher.hash(PIN)) == VerifyResult(ok=False, needs_rehash=False)


def test_hash_is_argon2id_with_configured_parameters_and_current_key() -> None:
    """New hashes are argon2id with the injected parameters and carry the current key id."""
    stored = _hasher().hash(PIN)
    assert stored.key_id == "k2"
    assert stored.hash.startswith("$argon2id$")
    assert extract_parameters(stored.hash) == TEST_PARAMETERS


def test_each_hash_has_its_own_salt() -> None:
    """Hashing the same PIN twice gives two different strings (random salt)."""
    hasher = _hasher()
    assert hasher.hash(PIN).hash != hasher.hash(PIN).hash


def test_hash_depends_on_the_pepper_secret() -> None:
    """A hash made under one secret does not verify under another secret with the same id."""
    stored = _hasher(_ring("k1")).hash(PIN)
    impostor = PepperRing(current=PepperKey("k1", SECRET_2))
    assert not _hasher(impostor).verify(PIN, stored).ok


def test_argon2_input_is_the_hmac_not_the_pin() -> None:
    """The PIN is keyed before argon2: plain argon2 over the bare PIN does not verify."""
    stored = _hasher().hash(PIN)
    with pytest.raises(VerifyMismatchError):
        PasswordHasher.from_parameters(TEST_PARAMETERS).verify(stored.hash, PIN)


def test_default_parameters_are_rfc9106_low_memory() -> None:
    """Without injection the hasher uses argon2id t=3, m=64 MiB, p=4 (RFC 9106 profile 2)."""
    assert DEFAULT_PARAMETERS.type is Type.ID
    assert (DEFAULT_PARAMETERS.time_cost, DEFAULT_PARAMETERS.memory_cost) == (3, 65536)
    assert DEFAULT_PARAMETERS.parallelism == 4


@settings(max_examples=25, deadline=None)
@given(pin=st.text(max_size=40))
def test_any_text_round_trips(pin: str) -> None:
    """Any text, including non-ASCII and empty, verifies against its own hash only."""
    hasher = _hasher()
    stored = hasher.hash(pin)
    assert hasher.verify(pin, stored).ok
    assert not hasher.verify(pin + "0", stored).ok


# --- rotation and rehash ------------------------------------------------------------------


def test_pin_under_retired_key_verifies_and_needs_rehash() -> None:
    """Pepper rotation: a PIN hashed under a retired key verifies with needs_rehash=True."""
    old = _hasher(_ring("k1")).hash(PIN)
    rotated = _hasher(_ring("k2", "k1"))
    assert rotated.verify(PIN, old) == VerifyResult(ok=True, needs_rehash=True)
    fresh = rotated.hash(PIN)
    assert fresh.key_id == "k2"
    assert rotated.verify(PIN, fresh) == VerifyResult(ok=True, needs_rehash=False)


def test_wrong_pin_under_retired_key_never_asks_for_rehash() -> None:
    """A mismatch under a retired key is ok=False and needs_rehash=False."""
    old = _hasher(_ring("k1")).hash(PIN)
    assert _hasher(_ring("k2", "k1")).verify("0000", old) == VerifyResult(False, False)


def test_outdated_argon2_parameters_ask_for_rehash() -> None:
    """A hash made with other argon2 parameters verifies with needs_rehash=True."""
    older = dataclasses.replace(TEST_PARAMETERS, time_cost=2)
    stored = PinHasher(_ring("k2"), parameters=older).hash(PIN)
    assert _hasher(_ring("k2")).verify(PIN, stored) == VerifyResult(ok=True, needs_rehash=True)


def test_removed_key_fails_closed(caplog: pytest.LogCaptureFixture) -> None:
    """A hash naming a key no longer configured is refused, logged by key id only."""
    stored = _hasher(_ring("k1")).hash(PIN)
    with caplog.at_level(logging.WARNING):
        assert _hasher(_ring("k2")).verify(PIN, stored) == VerifyResult(False, False)
    assert "'k1'" in caplog.text
    assert stored.hash not in caplog.text
    assert PIN not in caplog.text


def test_unreadable_hash_fails_closed(caplog: pytest.LogCaptureFixture) -> None:
    """A corrupt stored hash is refused (never an exception) and not logged."""
    with caplog.at_level(logging.WARNING):
        result = _hasher().verify(PIN, StoredPin(hash="$argon2id$garbage", key_id="k2"))
    assert result == VerifyResult(False, False)
    assert "garbage" not in caplog.text


# --- constant cost: the dummy hash (style rule 3, CVE-2024-39329) ---------------------------


def test_dummy_verify_is_never_ok() -> None:
    """dummy_verify refuses every PIN, including the empty one."""
    hasher = _hasher()
    assert hasher.dummy_verify(PIN) == VerifyResult(ok=False, needs_rehash=False)
    assert not hasher.dummy_verify("").ok


def test_dummy_verify_costs_one_verification_with_the_same_parameters(
    argon2_calls: list[str],
) -> None:
    """A dummy check runs exactly one argon2 verification with the configured parameters."""
    hasher = _hasher()
    hasher.dummy_verify(PIN)
    assert len(argon2_calls) == 1
    assert extract_parameters(argon2_calls[0]) == TEST_PARAMETERS


@pytest.mark.parametrize(
    "stored",
    [
        pytest.param(lambda h: h.hash(PIN), id="right-pin-stored"),
        pytest.param(lambda h: h.hash("0000"), id="other-pin-stored"),
        pytest.param(lambda h: StoredPin(h.hash(PIN).hash, "k9"), id="unknown-key"),
        pytest.param(lambda h: StoredPin("$argon2id$x", "k2"), id="corrupt-hash"),
    ],
)
def test_every_verify_path_costs_one_argon2_computation(
    stored: Callable[[PinHasher], StoredPin], argon2_calls: list[str]
) -> None:
    """Match, mismatch, unknown key and corrupt hash each cost one full argon2 verification."""
    hasher = _hasher()
    target = stored(hasher)
    argon2_calls.clear()
    hasher.verify(PIN, target)
    assert sum(_is_full_hash(h) for h in argon2_calls) == 1


def _is_full_hash(encoded: str) -> bool:
    try:
        return extract_parameters(encoded) == TEST_PARAMETERS
    except InvalidHashError:
        return False


# --- configuration and concurrency --------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"parameters": dataclasses.replace(TEST_PARAMETERS, type=Type.I)}, "argon2id"),
        ({"max_concurrency": 0}, "max_concurrency"),
        ({"acquire_timeout": -1.0}, "acquire_timeout"),
    ],
)
def test_bad_hasher_settings_are_refused_at_construction(
    kwargs: dict[str, object], message: str
) -> None:
    """Bad parameters fail when the hasher is built, not at the first customer (rule 6)."""
    kwargs.setdefault("parameters", TEST_PARAMETERS)
    with pytest.raises(ValueError, match=message):
        PinHasher(_ring(), **kwargs)  # type: ignore[arg-type]


class _Gatekeeper:
    """Holds every argon2 verification until released, recording how many run at once."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.release = threading.Event()
        self.active = 0
        self.peak = 0
        self._lock = threading.Lock()
        original = PasswordHasher.verify

        def held(hasher: PasswordHasher, hash: str, password: bytes) -> bool:
            with self._lock:
                self.active += 1
                self.peak = max(self.peak, self.active)
            self.release.wait(timeout=5)
            with self._lock:
                self.active -= 1
            return original(hasher, hash, password)

        monkeypatch.setattr(PasswordHasher, "verify", held)

    def wait_for_active(self, count: int) -> None:
        deadline = time.monotonic() + 5
        while self.active < count and time.monotonic() < deadline:
            time.sleep(0.001)
        assert self.active == count


def test_concurrent_argon2_computations_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """No more than max_concurrency argon2 computations run at once, so memory is bounded."""
    hasher = _hasher(max_concurrency=2, acquire_timeout=None)
    stored = hasher.hash(PIN)
    gate = _Gatekeeper(monkeypatch)
    threads = [threading.Thread(target=hasher.verify, args=(PIN, stored)) for _ in range(6)]
    for t in threads:
        t.start()
    gate.wait_for_active(2)
    time.sleep(0.05)  # give the four waiting threads a chance to (wrongly) get in
    assert gate.active == 2
    gate.release.set()
    for t in threads:
        t.join(timeout=10)
    assert gate.peak == 2


def test_no_free_slot_in_time_raises_hasher_busy(monkeypatch: pytest.MonkeyPatch) -> None:
    """When every slot stays busy past acquire_timeout, HasherBusyError (fail closed)."""
    hasher = _hasher(max_concurrency=1, acquire_timeout=0.05)
    stored = hasher.hash(PIN)
    gate = _Gatekeeper(monkeypatch)
    holder = threading.Thread(target=hasher.verify, args=(PIN, stored))
    holder.start()
    try:
        gate.wait_for_active(1)
        with pytest.raises(HasherBusyError):
            hasher.dummy_verify(PIN)
    finally:
        gate.release.set()
        holder.join(timeout=10)


# --- no secret in any repr ----------------------------------------------------------------


def test_no_repr_or_str_reveals_pin_hash_or_key() -> None:
    """Reprs of hasher, ring, key, stored PIN and results hold no PIN, hash or secret."""
    ring = _ring("k2", "k1")
    hasher = _hasher(ring)
    stored = hasher.hash(PIN)
    objects = [hasher, ring, ring.current, *ring.fallbacks, stored, hasher.verify(PIN, stored)]
    forbidden = [PIN, stored.hash, stored.hash.rsplit("$", 1)[-1], B64_1, B64_2]
    forbidden += [repr(SECRET_1), repr(SECRET_2), SECRET_1.hex(), SECRET_2.hex()]
    for obj in objects:
        for text in (repr(obj), str(obj)):
            assert not any(f in text for f in forbidden), text


# --- pepper configuration (CPNI_PIN_PEPPER / CPNI_PIN_PEPPER_FALLBACKS) ----------------------


@pytest.mark.parametrize(
    ("current", "fallbacks", "ids"),
    [
        (f"k2:{B64_2}", None, ("k2",)),
        (f"k2:{B64_2}", "", ("k2",)),
        (f"k2:{B64_2}", f" k1:{B64_1} ", ("k2", "k1")),
        (f"2025-03:{B64_1}", f"k2:{B64_2},old.1:{base64.b64encode(b'x' * 32).decode()}", None),
    ],
)
def test_valid_pepper_settings_parse(current: str, fallbacks: str | None, ids: object) -> None:
    """Standard or URL-safe base64, optional padding, blank fallbacks all parse."""
    ring = parse_pepper_keys(current, fallbacks)
    if ids is not None:
        assert ring.key_ids == ids
    assert ring.find(ring.current.key_id) is ring.current


@pytest.mark.parametrize(
    ("current", "fallbacks", "fragment"),
    [
        ("", None, "CPNI_PIN_PEPPER is empty"),
        (B64_1, None, "not of the form"),
        (f"k1:{B64_1},k2:{B64_2}", None, "exactly one"),
        (f"bad id:{B64_1}", None, "key id"),
        (f"k1:{'A' * 40}", None, "at least 32"),
        (f"k1:{base64.b64encode(b'y' * 31).decode()}", None, "decodes to 31 bytes"),
        (f"k1:{B64_1}!", None, "not valid base64"),
        (f"k1:{B64_1}", f"k1:{B64_2}", "more than once"),
        (f"k1:{B64_1}", f"k2:{B64_1}", "same pepper secret"),
        (f"k1:{B64_1}", f"k2:{B64_2},,", "FALLBACKS entry 2"),
    ],
)
def test_bad_pepper_settings_raise_without_echoing_secrets(
    current: str, fallbacks: str | None, fragment: str
) -> None:
    """Each bad setting raises ValueError naming the problem and quoting no secret."""
    with pytest.raises(PepperConfigError) as caught:
        parse_pepper_keys(current, fallbacks)
    message = str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert fragment in message
    assert B64_1 not in message and B64_2 not in message and "A" * 40 not in message


def test_all_pepper_problems_are_listed_at_once() -> None:
    """Problems in both variables are reported together, for one aggregated message (rule 6)."""
    with pytest.raises(PepperConfigError) as caught:
        parse_pepper_keys("k1:short", "also-bad")
    assert len(caught.value.problems) == 2


def test_pepper_key_refuses_short_secret_when_built_directly() -> None:
    """A PepperKey with under 32 bytes of secret cannot exist."""
    with pytest.raises(ValueError, match="32 bytes"):
        PepperKey("k1", b"x" * 31)
