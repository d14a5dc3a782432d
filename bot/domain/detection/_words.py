"""Word and phrase lists matched by token lookup instead of regex alternation.

A regex alternation of a hundred words tries every word at every position; a dictionary
keyed by a phrase's first token costs one lookup per token. Messages are tokenised once (in
``_text.normalize``); a phrase matches consecutive tokens, so "re:", "/mo" or "e-bill" work
as well as words.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.domain.detection._text import NormalizedText

__all__ = ["TOKEN", "Token", "WordList", "WordScan"]

TOKEN = re.compile(r"\w+|[^\w\s]")
Token = tuple[int, int, str]
# After this many lookups in one message a word list indexes the whole message once, so a
# phrase repeated thousands of times costs linear, not quadratic, time.
_FULL_SCAN_AFTER = 16


class WordList:
    """A compiled list of words and phrases.

    Args:
        phrases: words or phrases, already normalised (NFKC, case-folded).
    """

    def __init__(self, phrases: Iterable[str]) -> None:
        index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for phrase in phrases:
            toks = tuple(TOKEN.findall(phrase))
            if toks:
                index.setdefault(toks[0], []).append((toks, phrase))
        for entries in index.values():
            entries.sort(key=lambda entry: len(entry[0]), reverse=True)
        self._index = index
        self.first_tokens = frozenset(index)
        # When every phrase starts with a word, a message none of whose words is a first
        # token has no occurrence at all: one set operation instead of a scan.
        self.starts_with_punctuation = any(not t[0].isalnum() and t[0] != "_" for t in index)

    def __bool__(self) -> bool:
        """True when the list has at least one phrase."""
        return bool(self._index)

    def match_at(self, tokens: tuple[Token, ...], i: int) -> tuple[int, str] | None:
        """Return (end offset, phrase) of the longest phrase starting at token ``i``.

        Args:
            tokens: the message's tokens.
            i: the token index.

        Returns:
            The end of the phrase in the text and the phrase as listed, or None.
        """
        entries = self._index.get(tokens[i][2])
        if entries is None:
            return None
        for toks, phrase in entries:
            j = i + len(toks)
            if j <= len(tokens) and all(tokens[i + k][2] == t for k, t in enumerate(toks)):
                return tokens[j - 1][1], phrase
        return None


class WordScan:
    """The occurrences of one word list in one message, looked up per region.

    Args:
        words: the word list (or None for an empty one).
        text: the message, whose tokens are read on first use.
    """

    __slots__ = ("_all", "_calls", "_text", "_words")

    def __init__(self, words: WordList | None, text: NormalizedText) -> None:
        self._words = words
        self._text = text
        self._calls = 0
        self._all: list[Token] | None = None

    def within(self, lo: int, hi: int) -> Iterator[Token]:
        """Yield (start, end, phrase) of occurrences lying inside ``[lo, hi)``.

        Args:
            lo: region start.
            hi: region end.

        Yields:
            Each occurrence as (start, end, phrase).
        """
        words = self._words
        if not words or (
            not words.starts_with_punctuation and words.first_tokens.isdisjoint(self._text.tokens)
        ):
            return
        self._calls += 1
        if self._all is None and self._calls > _FULL_SCAN_AFTER:
            self._all = list(self._scan(0, len(self._text.token_spans)))
        if self._all is not None:
            found = self._all
            i = bisect.bisect_left(found, (lo, -1, ""))
            while i < len(found) and found[i][0] < hi:
                if found[i][1] <= hi:
                    yield found[i]
                i += 1
            return
        starts = self._text.token_starts
        first = bisect.bisect_left(starts, lo)
        last = bisect.bisect_left(starts, hi)
        for occurrence in self._scan(first, last):
            if occurrence[1] <= hi:
                yield occurrence

    def _scan(self, first: int, last: int) -> Iterator[Token]:
        words = self._words
        assert words is not None
        tokens = self._text.token_spans
        firsts = words.first_tokens
        for i in range(first, last):
            if tokens[i][2] not in firsts:
                continue
            hit = words.match_at(tokens, i)
            if hit is not None:
                yield tokens[i][0], hit[0], hit[1]
