"""A first-character prefilter for regexes that start with a word boundary.

Python's ``re`` skips ahead quickly only when a pattern starts with a literal or a character
set; a leading ``\\b`` defeats that, so the engine tries the whole pattern at every position.
:func:`with_first_char_check` works out which characters a match can start with and adds a
``(?=[...])`` lookahead in front, which rejects most positions in one step. The lookahead is a
necessary condition of the original pattern, so matches are unchanged.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

__all__ = ["longest_digit_run", "with_first_char_check"]

_parser: Any = importlib.import_module("re._parser")
_ZERO_WIDTH = {"AT", "ASSERT", "ASSERT_NOT"}
_REPEATS = {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}
_MAX_SET = 64


def _in_set(items: Any) -> set[str] | None:
    chars: set[str] = set()
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            chars.add(chr(arg))
        elif name == "RANGE" and arg[1] - arg[0] < _MAX_SET:
            chars.update(chr(c) for c in range(arg[0], arg[1] + 1))
        elif name == "CATEGORY" and str(arg) == "CATEGORY_DIGIT":
            chars.update("0123456789")
        else:
            return None
    return chars


def _first(items: Any) -> set[str] | None:
    """The characters a non-empty match of ``items`` can start with, or None if unknown.

    An element that may match nothing (``(?:the\\s)?``, ``x*``) adds its first characters
    to those of what follows it; an empty sequence adds none.
    """
    items = list(items)
    for i, (op, arg) in enumerate(items):
        name = str(op)
        if name in _ZERO_WIDTH:
            continue
        head = _first_nonempty(name, arg)
        if head is None or not _may_be_empty(name, arg):
            return head
        rest = _first(items[i + 1 :])
        return None if rest is None else head | rest
    return set()


def _may_be_empty(name: str, arg: Any) -> bool:
    if name in _REPEATS:
        return bool(arg[0] == 0 or arg[2].getwidth()[0] == 0)
    if name == "SUBPATTERN":
        return bool(arg[-1].getwidth()[0] == 0)
    if name == "BRANCH":
        return any(alternative.getwidth()[0] == 0 for alternative in arg[1])
    return False


def _first_nonempty(name: str, arg: Any) -> set[str] | None:  # noqa: PLR0911 - per node kind
    """The characters a non-empty match of one element can start with, or None."""
    if name == "LITERAL":
        return {chr(arg)}
    if name == "IN":
        return _in_set(arg)
    if name == "BRANCH":
        out: set[str] = set()
        for alternative in arg[1]:
            found = _first(alternative)
            if found is None:
                return None
            out |= found
        return out
    if name == "SUBPATTERN":
        if arg[1] not in (0, re.I) or arg[2]:
            return None  # changes flags other than ignore-case
        found = _first(arg[-1])
        if found is not None and arg[1]:
            # (?i:...): the lookahead outside it is case-sensitive, so allow both cases.
            found = {c for ch in found for c in (ch.lower(), ch.upper())}
        return found
    if name in _REPEATS:
        return _first(arg[2])
    return None


def with_first_char_check(regex: str) -> str:
    """Return ``regex`` with a first-character lookahead when that can be worked out.

    Args:
        regex: a pattern matched against case-folded text.

    Returns:
        The pattern with a ``(?=[...])`` prefix, or unchanged when its first character is
        unknown or it does not start with a zero-width assertion.
    """
    parsed = _parser.parse(regex)
    if (
        not parsed.data
        or str(parsed.data[0][0]) not in _ZERO_WIDTH
        or parsed.state.flags & re.I
        or parsed.getwidth()[0] == 0
    ):
        return regex
    chars = _first(parsed.data)
    if not chars or len(chars) > _MAX_SET:
        return regex
    body = "".join(re.escape(c) for c in sorted(chars))
    return f"(?=[{body}]){regex}"


def longest_digit_run(regex: str) -> int:
    """Return the most digits in a row that every match of ``regex`` must hold.

    Only the top level of the pattern is looked at (``\\d{6,14}`` gives 6; ``[a-z]-?\\d{6}``
    gives 6; anything not understood gives 0). A message without such a run cannot match,
    so the pattern need not run.

    Args:
        regex: an account number format.

    Returns:
        The run length, or 0 when unknown.
    """
    best = 0
    for op, arg in _parser.parse(regex).data:
        if str(op) in _REPEATS:
            low, _, sub = arg
            if _is_digit_class(sub):
                best = max(best, low)
        elif _is_digit_class([(op, arg)]):
            best = max(best, 1)
    return best


def _is_digit_class(items: Any) -> bool:
    items = list(items)
    if len(items) != 1:
        return False
    op, arg = items[0]
    if str(op) != "IN":
        return False
    return all(str(o) == "CATEGORY" and str(a) == "CATEGORY_DIGIT" for o, a in arg)
