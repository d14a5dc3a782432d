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
# A message of at most this many tokens is indexed at once, through the message's token
# positions: only the tokens that start a listed phrase are looked at (chat-sized text).
_INDEX_AT_ONCE = 96
# Regions of a message up to this long are matched on their text, without tokens.
_REGION_SCAN_MAX = 600
# Above this many characters a region is tokenised on its own, not the whole message first
# (a 100 KB input has ~200,000 tokens; the regions patterns ask about, a few hundred).
_LOCAL_TOKENS_ABOVE = 16_000
_WORD = re.compile(r"\w+")
_WORD_CHAR = re.compile(r"\w")
_WORD_REST = re.compile(r"\w*")


def _is_word(token: str) -> bool:
    return token[0].isalnum() or token[0] == "_"


def _token_regex(toks: tuple[str, ...]) -> re.Pattern[str]:
    """A regex matching exactly where the tokens stand in a row in tokenised text."""
    parts = [r"(?<!\w)" if _is_word(toks[0]) else ""]
    for i, tok in enumerate(toks):
        if i:
            parts.append(r"\s+" if _is_word(toks[i - 1]) and _is_word(tok) else r"\s*")
        parts.append(re.escape(tok))
    parts.append(r"(?!\w)" if _is_word(toks[-1]) else "")
    return re.compile("".join(parts))


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
        self.longest = max((len(toks) for e in index.values() for toks, _ in e), default=0)
        # When every phrase starts with a word, a message none of whose words is a first
        # token has no occurrence at all: one set operation instead of a scan.
        self.starts_with_punctuation = any(not t[0].isalnum() and t[0] != "_" for t in index)
        # For a region that is the whole message: single words by one set intersection,
        # other phrases by a regex equivalent to matching their tokens in a row, tried only
        # when their first word is in the message.
        self._single = frozenset(
            toks[0]
            for entries in index.values()
            for toks, _ in entries
            if len(toks) == 1 and _is_word(toks[0])
        )
        multi: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
        punct: list[tuple[str, str, re.Pattern[str]]] = []
        for first, entries in index.items():
            for toks, phrase in entries:
                if not _is_word(first):
                    punct.append((first, phrase, _token_regex(toks)))
                elif len(toks) > 1:
                    multi.setdefault(first, []).append((phrase, _token_regex(toks)))
        self._multi = multi
        self._multi_firsts = frozenset(multi)
        # One search tells whether any phrase of a first word occurs (usually none does).
        self._multi_any = {
            first: re.compile("|".join(f"(?:{rx.pattern})" for _, rx in entries))
            for first, entries in multi.items()
            if len(entries) > 1
        }
        self._punct = tuple(punct)

    def phrases_in(self, text: str, tokens: frozenset[str]) -> set[str]:
        """Return the listed phrases that occur anywhere in a message.

        Args:
            text: the normalised message text.
            tokens: its word tokens.

        Returns:
            The phrases, as listed.
        """
        found = set(self._single & tokens)
        for first in self._multi_firsts & tokens:
            either = self._multi_any.get(first)
            if either is not None and either.search(text) is None:
                continue
            for phrase, rx in self._multi[first]:
                if rx.search(text):
                    found.add(phrase)
        for first, phrase, rx in self._punct:
            if first in text and rx.search(text):
                found.add(phrase)
        return found

    def __bool__(self) -> bool:
        """True when the list has at least one phrase."""
        return bool(self._index)

    def match_at(
        self, tokens: tuple[Token, ...], texts: tuple[str, ...], i: int
    ) -> tuple[int, str] | None:
        """Return (end offset, phrase) of the longest phrase starting at token ``i``.

        Args:
            tokens: the message's tokens.
            texts: the text of each token (compared as one slice).
            i: the token index.

        Returns:
            The end of the phrase in the text and the phrase as listed, or None.
        """
        entries = self._index.get(texts[i])
        if entries is None:
            return None
        for toks, phrase in entries:
            j = i + len(toks)
            if texts[i:j] == toks:
                return tokens[j - 1][1], phrase
        return None


class WordScan:
    """The occurrences of one word list in one message, looked up per region.

    Args:
        words: the word list (or None for an empty one).
        text: the message, whose tokens are read on first use.
    """

    __slots__ = ("_all", "_calls", "_text", "_whole", "_words")

    def __init__(self, words: WordList | None, text: NormalizedText) -> None:
        self._words = words
        self._text = text
        self._calls = 0
        self._all: list[Token] | None = None
        self._whole: set[str] | None = None

    def phrases_within(self, lo: int, hi: int) -> set[str]:
        """Return the listed phrases occurring inside ``[lo, hi)``.

        A region that spans the whole message (the usual case for chat-sized text) is
        answered without tokenising the message.

        Args:
            lo: region start.
            hi: region end.

        Returns:
            The phrases, as listed.
        """
        words = self._words
        if not words or (
            not words.starts_with_punctuation and words.first_tokens.isdisjoint(self._text.tokens)
        ):
            return set()
        text = self._text.text
        if lo <= 0 and hi >= len(text):
            if self._whole is None:
                self._whole = words.phrases_in(text, self._text.tokens)
            return self._whole
        if len(text) <= _REGION_SCAN_MAX:
            # Whole words only: a region edge inside a word moves to the word's edge, so a
            # part of a word never counts as one (as with the token scan).
            while 0 < lo < len(text) and _is_word(text[lo - 1]) and _is_word(text[lo]):
                lo += 1
            while 0 < hi < len(text) and _is_word(text[hi - 1]) and _is_word(text[hi]):
                hi -= 1
            region = text[lo:hi]
            return words.phrases_in(region, frozenset(_WORD.findall(region)))
        return {phrase for _, _, phrase in self.within(lo, hi)}

    def within(self, lo: int, hi: int) -> list[Token]:
        """Return (start, end, phrase) of the occurrences lying inside ``[lo, hi)``.

        Args:
            lo: region start.
            hi: region end.

        Returns:
            Each occurrence as (start, end, phrase), in text order.
        """
        found = self._all
        if found is None:
            words = self._words
            if not words or (
                not words.starts_with_punctuation
                and words.first_tokens.isdisjoint(self._text.tokens)
            ):
                self._all = found = []
            else:
                self._calls += 1
                if len(self._text.text) > _LOCAL_TOKENS_ABOVE and self._calls <= _FULL_SCAN_AFTER:
                    return [t for t in self._scan_local(words, lo, hi) if t[1] <= hi]
                if len(self._text.token_spans) <= _INDEX_AT_ONCE:
                    self._all = found = self._indexed(words)
                elif self._calls > _FULL_SCAN_AFTER:
                    self._all = found = list(self._scan(0, len(self._text.token_spans)))
                else:
                    starts = self._text.token_starts
                    first = bisect.bisect_left(starts, lo)
                    last = bisect.bisect_left(starts, hi)
                    return [t for t in self._scan(first, last) if t[1] <= hi]
        if not found:
            return []
        i = bisect.bisect_left(found, (lo, -1, ""))
        j = bisect.bisect_left(found, (hi, -1, ""), i)
        return [t for t in found[i:j] if t[1] <= hi]

    def _indexed(self, words: WordList) -> list[Token]:
        positions = self._text.positions
        firsts = words.first_tokens
        if len(positions) < len(firsts):
            present = [tok for tok in positions if tok in firsts]
        else:
            present = [tok for tok in firsts if tok in positions]
        if not present:
            return []
        indexes = sorted(i for tok in present for i in positions[tok])
        tokens = self._text.token_spans
        texts = self._text.token_texts
        found: list[Token] = []
        for i in indexes:
            hit = words.match_at(tokens, texts, i)
            if hit is not None:
                found.append((tokens[i][0], hit[0], hit[1]))
        return found

    def _scan_local(self, words: WordList, lo: int, hi: int) -> list[Token]:
        """The occurrences starting in ``[lo, hi)``, tokenising from ``lo`` (moved past a word
        begun before it) to ``words.longest - 1`` tokens past ``hi``: the message's own tokens.
        """
        text = self._text.text
        rest = _WORD_REST.match(text, lo) if lo > 0 and _WORD_CHAR.match(text, lo - 1) else None
        lo = rest.end() if rest else lo
        tokens: list[Token] = []
        texts: list[str] = []
        inside = 0
        extra = words.longest - 1
        for m in TOKEN.finditer(text, lo):
            start = m.start()
            if start >= hi:
                if extra <= 0:
                    break
                extra -= 1
            else:
                inside += 1
            texts.append(m.group())
            tokens.append((start, m.end(), texts[-1]))
        spans, words_at = tuple(tokens), tuple(texts)
        found: list[Token] = []
        for i in range(inside):
            if words_at[i] in words.first_tokens:
                hit = words.match_at(spans, words_at, i)
                if hit is not None:
                    found.append((spans[i][0], hit[0], hit[1]))
        return found

    def _scan(self, first: int, last: int) -> Iterator[Token]:
        words = self._words
        assert words is not None
        tokens = self._text.token_spans
        texts = self._text.token_texts
        firsts = words.first_tokens
        for i in range(first, last):
            if texts[i] not in firsts:
                continue
            hit = words.match_at(tokens, texts, i)
            if hit is not None:
                yield tokens[i][0], hit[0], hit[1]
