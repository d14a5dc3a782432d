"""Cleaning e-mail bodies so only the new text of a reply is scanned (issue 4, item 3).

A reply carries the earlier messages below it. Scanning them again would re-flag old text,
and attribute a customer's quoted words to the agent who replied. This keeps the text above
the first quoted block, reply header ("On ... wrote:"), Outlook header block
("From: / Sent:"), signature delimiter ("-- ") or closing sign-off.
"""

from __future__ import annotations

import re

__all__ = ["clean_email_body"]

_REPLY_HEADER = re.compile(
    r"^\s{0,10}(?:on\s.{1,300}\s(?:wrote|escribió|escribio|a écrit)|el\s.{1,300}\sescribió)"
    r"\s{0,3}:\s*$",
    re.IGNORECASE,
)
_STARTS_REPLY = re.compile(r"^\s{0,10}(?:on|el|le)\s", re.IGNORECASE)
_ORIGINAL = re.compile(
    r"^\s{0,10}(?:-{2,}\s{0,3}(?:original message|mensaje original|forwarded by)"
    r"|_{10,}\s*$|begin forwarded message)",
    re.IGNORECASE,
)
_HEADER_FIELD = re.compile(r"^\s{0,10}\**(?:from|de)\**\s{0,3}:", re.IGNORECASE)
_HEADER_NEXT = re.compile(
    r"^\s{0,10}\**(?:sent|date|to|subject|enviado|fecha)\**\s{0,3}:", re.IGNORECASE
)
_DEVICE_FOOTER = re.compile(
    r"^\s{0,10}(?:sent from my|get outlook for|enviado desde mi)\b", re.IGNORECASE
)
_SIGN_OFF = re.compile(
    r"^\s{0,10}(?:thanks|thank you|thanks again|many thanks|thx|ty|regards|best|best regards"
    r"|kind regards|warm regards|cheers|sincerely|respectfully|all the best|take care"
    r"|saludos|gracias|atentamente)[\s,.!]{0,5}$",
    re.IGNORECASE,
)
_MAX_SIGNATURE_LINES = 6
_MAX_SIGNATURE_LINE = 80


def _is_reply_header(lines: list[str], i: int) -> bool:
    if _REPLY_HEADER.match(lines[i]):
        return True
    # Mail clients wrap long "On <date>, <name> <address> wrote:" lines over two lines.
    return bool(
        _STARTS_REPLY.match(lines[i])
        and i + 1 < len(lines)
        and _REPLY_HEADER.match(f"{lines[i]} {lines[i + 1]}")
    )


def _is_outlook_block(lines: list[str], i: int) -> bool:
    if _ORIGINAL.match(lines[i]):
        return True
    return bool(
        _HEADER_FIELD.match(lines[i])
        and any(_HEADER_NEXT.match(line) for line in lines[i + 1 : i + 5])
    )


def _cut_sign_off(lines: list[str]) -> list[str]:
    """Drop a closing sign-off and the short signature lines under it."""
    start = max(0, len(lines) - _MAX_SIGNATURE_LINES - 1)
    for i in range(len(lines) - 1, start - 1, -1):
        if _SIGN_OFF.match(lines[i]):
            tail = lines[i + 1 :]
            if all(len(line) <= _MAX_SIGNATURE_LINE for line in tail):
                return lines[:i]
            break
    return lines


def clean_email_body(body: str) -> str:
    """Return the new text of an e-mail, without quoted history or signature.

    Args:
        body: the plain-text e-mail body.

    Returns:
        The text above the first quote, reply header, forwarded-original block, signature
        delimiter or device footer, with a trailing sign-off and signature removed.
    """
    lines = body.splitlines()
    kept: list[str] = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(">"):
            continue
        if (
            line.rstrip() == "--"
            or _DEVICE_FOOTER.match(line)
            or _is_reply_header(lines, i)
            or _is_outlook_block(lines, i)
        ):
            break
        kept.append(line)
    while kept and not kept[-1].strip():
        kept.pop()
    return "\n".join(_cut_sign_off(kept)).strip()
