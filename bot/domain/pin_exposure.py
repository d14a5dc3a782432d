"""Spotting a PIN typed in the clear, and candidate account numbers in text (pure).

A PIN belongs in the modal, the sidebar or the self-service page, never in a transcript. This
check is deliberately narrow (a PIN word near a 4-8 digit group, or a message that is only such
a group) so that order numbers and times do not raise warnings.
"""

from __future__ import annotations

import re

__all__ = ["account_number_candidates", "looks_like_pin_in_clear"]

_PIN_WORDS = r"(?:pin|passcode|pass\s*code|security\s+code|account\s+password|pin\s+number)"
_PIN_NEAR_DIGITS = re.compile(
    rf"(?i)\b{_PIN_WORDS}\b[^0-9\n]{{0,24}}?(?<!\d)\d{{4,8}}(?!\d)"
    rf"|(?<!\d)\d{{4,8}}(?!\d)[^0-9\n]{{0,12}}?\b(?:is\s+)?(?:my|the)\s+{_PIN_WORDS}\b"
)
_ONLY_DIGITS = re.compile(r"\s*(?:pin\s*[:#-]?\s*)?(\d{4,8})\s*[.!]?\s*", re.IGNORECASE)
_CANDIDATE = re.compile(r"(?<![\w-])[A-Za-z0-9][A-Za-z0-9-]{3,63}(?![\w-])")
_MAX_CANDIDATES = 64


def looks_like_pin_in_clear(text: str) -> bool:
    """Whether ``text`` seems to carry a PIN written out (warn the author, R6)."""
    if len(text) > 20_000:
        text = text[:20_000]
    return bool(_ONLY_DIGITS.fullmatch(text) or _PIN_NEAR_DIGITS.search(text))


def account_number_candidates(text: str) -> list[str]:
    """Tokens that could be account numbers (containing a digit), for a directory lookup.

    Only a lookup against the account directory turns a candidate into an account, so this may
    be generous; it is bounded so a long message cannot make the lookup large.
    """
    found: dict[str, None] = {}
    for match in _CANDIDATE.finditer(text[:20_000]):
        token = match.group(0)
        if any(ch.isdigit() for ch in token):
            found.setdefault(token.upper(), None)
            if len(found) >= _MAX_CANDIDATES:
                break
    return list(found)
