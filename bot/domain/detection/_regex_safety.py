"""Checks that a tenant-supplied regex (an account number format) runs in linear time.

Python's ``re`` backtracks, so a pattern such as ``(\\d+)+x`` takes exponential time on a
long digit run. Account number formats come from a policy file, so they are held to a
small, safe subset: every repeat is bounded, no repeat contains another repeat or an
alternation, no backreferences or lookarounds, and the pattern cannot match the empty
string. Under those rules the work per start position is bounded by a constant, so a scan is
linear in the text length.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

__all__ = ["MAX_FORMAT_LENGTH", "MAX_REPEAT", "check_linear_safe"]

MAX_FORMAT_LENGTH = 200
MAX_REPEAT = 64
_MAX_BACKTRACK = 4096

# ``re._parser`` is the stdlib's own parser (``sre_parse`` is its deprecated alias).
_parser: Any = importlib.import_module("re._parser")
_FORBIDDEN = {
    "GROUPREF",
    "GROUPREF_EXISTS",
    "ASSERT",
    "ASSERT_NOT",
    "ATOMIC_GROUP",
    "POSSESSIVE_REPEAT",
}
_REPEATS = {"MAX_REPEAT", "MIN_REPEAT"}


def check_linear_safe(pattern: str) -> None:
    """Raise ValueError unless a pattern compiles and stays in the linear-safe subset.

    Args:
        pattern: the regular expression.

    Raises:
        ValueError: with a message naming the first problem found.
    """
    if len(pattern) > MAX_FORMAT_LENGTH:
        raise ValueError(f"longer than {MAX_FORMAT_LENGTH} characters")
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"does not compile: {exc}") from None
    if compiled.groups:
        raise ValueError("capturing groups are not allowed; use (?:...)")
    if compiled.fullmatch("") is not None:
        raise ValueError("matches the empty string")
    budget = _walk(_parser.parse(pattern), inside_repeat=False)
    if budget > _MAX_BACKTRACK:
        raise ValueError("too many variable-length repeats (backtracking budget exceeded)")


def _walk(items: Any, *, inside_repeat: bool) -> int:
    """Check a parsed subpattern; return the product of its repeats' spans (a budget)."""
    budget = 1
    for op, arg in items:
        name = str(op)
        if name in _FORBIDDEN:
            raise ValueError(f"{name.lower().replace('_', ' ')} is not allowed")
        if name in _REPEATS:
            low, high, sub = arg
            if inside_repeat:
                raise ValueError("nested repeats are not allowed")
            if high == _parser.MAXREPEAT or high > MAX_REPEAT:
                raise ValueError(f"repeats must be bounded, at most {{{MAX_REPEAT}}}")
            budget *= (high - low + 1) * _walk(sub, inside_repeat=True)
        elif name == "SUBPATTERN":
            budget *= _walk(arg[-1], inside_repeat=inside_repeat)
        elif name == "BRANCH":
            if inside_repeat:
                raise ValueError("a repeated alternation is not allowed")
            for alternative in arg[1]:
                budget *= _walk(alternative, inside_repeat=inside_repeat)
    return budget
