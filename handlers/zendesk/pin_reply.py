"""Finding the PIN in a customer's email reply and wrapping it for the redaction endpoint."""

from __future__ import annotations

import html
import re

from bot.domain.detection import clean_email_body

__all__ = ["digit_groups", "extract_pin", "redaction_html"]

_DIGITS = re.compile(r"(?<![\d▇])\d{4,8}(?![\d▇])")


def digit_groups(body: str) -> list[str]:
    """The distinct 4-8 digit groups in the new part of a reply (quotes, signatures cut off)."""
    return list(dict.fromkeys(_DIGITS.findall(clean_email_body(body or ""))))


def extract_pin(body: str) -> tuple[str | None, int]:
    """The PIN in the new part of a reply.

    Returns:
        ``(pin, candidates)``: the PIN if exactly one distinct 4-8 digit group is there.
    """
    found = digit_groups(body)
    return (found[0] if len(found) == 1 else None), len(found)


def redaction_html(html_body: str, body: str, secrets: list[str]) -> str:
    """The comment's HTML with every standalone occurrence of each secret inside ``<redact>``.

    Falls back to the escaped plain body when the HTML does not hold the digits as text.
    """
    alternatives = "|".join(re.escape(s) for s in sorted(secrets, key=len, reverse=True))
    pattern = re.compile(rf"(?<!\d)(?:{alternatives})(?!\d)")
    source = html_body if all(s in (html_body or "") for s in secrets) else html.escape(body or "")
    return pattern.sub(lambda m: f"<redact>{m.group(0)}</redact>", source)
