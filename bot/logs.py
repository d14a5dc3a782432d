"""Structured logging (JSON off a terminal) with a filter that removes secrets and bodies.

The filter is the last line of defence, not the first: code never logs a PIN, token, secret or
message body on purpose. It still (1) drops ``extra`` fields whose names say they carry one,
(2) masks token-shaped strings (Slack ``xox*-``/``xapp-`` tokens, bearer tokens, JWTs, long hex
or base64 secrets) and PIN-shaped digits after words like "PIN" in the message and its
arguments, and (3) drops exception text from SDKs, which may echo request bodies, keeping only
the exception's type.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

__all__ = ["JsonFormatter", "RedactingFilter", "configure_logging", "redact"]

_SENSITIVE_KEY = re.compile(
    r"pin|passcode|password|secret|token|authorization|signature|body|text|message_text|answer|hash",
    re.IGNORECASE,
)
_SAFE_KEYS = frozenset({"text_length", "hash_algorithm"})
_PATTERNS = (
    re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{6,}"),
    re.compile(r"\bxapp-[A-Za-z0-9-]{6,}"),
    re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"\beyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*"),
    re.compile(r"\$argon2id?\$[^\s\"']+"),
    re.compile(r"\b[0-9a-fA-F]{32,}\b"),
    re.compile(r"(?i)\b(pin|passcode|password|pwd)(\s*(?:is|:|=|#)?\s*)\d{3,10}\b"),
)
_MASK = "[redacted]"

# LogRecord's own attributes; anything else on a record came from ``extra``.
_RECORD_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def redact(text: str) -> str:
    """Mask token- and PIN-shaped substrings in ``text``."""
    for pattern in _PATTERNS:
        if pattern.groups >= 2:
            text = pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}{_MASK}", text)
        else:
            text = pattern.sub(_MASK, text)
    return text


def _is_sensitive_key(key: str) -> bool:
    return key not in _SAFE_KEYS and bool(_SENSITIVE_KEY.search(key))


class RedactingFilter(logging.Filter):
    """Scrub every record before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops a record."""
        message = redact(record.getMessage())
        record.msg, record.args = message, None
        for key in list(vars(record)):
            if key in _RECORD_FIELDS:
                continue
            if _is_sensitive_key(key):
                setattr(record, key, _MASK)
            elif isinstance(getattr(record, key), str):
                setattr(record, key, redact(getattr(record, key)))
        if record.exc_info and record.exc_info[0] is not None:
            # SDK exceptions can carry request or response bodies: keep the type only.
            record.exc_text = f"{record.exc_info[0].__name__} (details withheld)"
            record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the record as a JSON line."""
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS:
                data[key] = (
                    value if isinstance(value, str | int | float | bool | None) else str(value)
                )
        if record.exc_text:
            data["exception"] = record.exc_text
        return json.dumps(data, ensure_ascii=False)


def configure_logging(
    *, level: str = "INFO", fmt: str = "auto", stream: TextIO | None = None
) -> None:
    """Send logs to ``stream`` (stderr), as JSON unless it is a terminal or ``fmt`` says text."""
    out = stream or sys.stderr
    use_json = fmt == "json" or (fmt == "auto" and not out.isatty())
    handler = logging.StreamHandler(out)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(
        JsonFormatter()
        if use_json
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Alembic narrates every migration step at INFO; operators need only its warnings.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, root.level))
