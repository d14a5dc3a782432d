"""The logging filter removes secrets and message bodies before any handler sees them."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot.logs import configure_logging, redact


@pytest.fixture
def captured() -> io.StringIO:
    stream = io.StringIO()
    configure_logging(level="DEBUG", fmt="json", stream=stream)
    return stream


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.parametrize(
    "secret",
    [
        "xoxb-1234567890-abcdefghij",
        "xapp-1-A0123-456-abcdef",
        "Bearer abcdefghijklmnop.qrst",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
        "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
        "0123456789abcdef0123456789abcdef",
    ],
)
def test_token_shaped_strings_are_masked(secret: str) -> None:
    """Slack tokens, bearer tokens, JWTs, argon2 hashes and long hex secrets are masked."""
    assert secret not in redact(f"calling with {secret} now")


def test_a_pin_after_the_word_pin_is_masked_but_other_numbers_stay() -> None:
    """'PIN is 4821' loses the digits; an account count or ticket number does not."""
    assert (
        redact("customer said PIN is 4821 on ticket 991")
        == "customer said PIN is [redacted] on ticket 991"
    )


def test_extra_fields_named_like_secrets_or_bodies_are_dropped(captured: io.StringIO) -> None:
    """extra={'pin': ..., 'text': ...} reach the log only as [redacted]; safe fields stay."""
    logging.getLogger("t").info(
        "event handled", extra={"pin": "4821", "text": "my bill", "token": "t", "channel": "C1"}
    )
    (line,) = _lines(captured)
    assert line["pin"] == line["text"] == line["token"] == "[redacted]"
    assert line["channel"] == "C1"
    assert "4821" not in captured.getvalue() and "my bill" not in captured.getvalue()


def test_exception_details_are_withheld(captured: io.StringIO) -> None:
    """An exception's message (which SDKs fill with request bodies) is replaced by its type."""
    try:
        raise ValueError("payload: my PIN 4821 and call log")
    except ValueError:
        logging.getLogger("t").exception("failed")
    (line,) = _lines(captured)
    assert line["exception"] == "ValueError (details withheld)"
    assert "call log" not in captured.getvalue()


def test_format_args_are_redacted_too(captured: io.StringIO) -> None:
    """%-style arguments are merged and scrubbed before formatting."""
    logging.getLogger("t").warning("auth header %s", "Bearer abcdefghijklmnopqrstuvwxyz")
    assert "abcdefghijklmnop" not in captured.getvalue()
