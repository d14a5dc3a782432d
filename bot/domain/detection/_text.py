"""Text normalisation for matching: NFKC, case folding and an offset map back to the input.

Patterns run on the normalised text; spans are mapped back to the caller's text so a finding
points at the original characters. ASCII text (most chat traffic) takes a fast path whose
offsets are the identity.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from operator import add

__all__ = ["MAX_SENTENCE", "NormalizedText", "normalize", "normalize_phrase"]

MAX_SENTENCE = 240
"""Characters either side of a match that its sentence may reach."""

# Typographic quotes and dashes become their ASCII forms so "what\u2019s" matches "what's".
# Each maps one character to one character, so offsets are unchanged.
_PUNCT = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201b": "'",
        "\u02bc": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u00a0": " ",
    }
)
# A sentence ends at . ? ! ; or a newline followed by space or the end, so "$12.40" and
# "555.201.3344" do not split a sentence.
_SENTENCE_END = re.compile(r"[.?!;](?=\s|$)|\n")
_TOKEN = re.compile(r"\w+|[^\w\s]")
_WORD = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")


class NormalizedText:
    """A message after normalisation, with what the detectors share about it.

    Args:
        text: the NFKC, case-folded text that patterns run on.
        offsets: for each character of ``text`` its offset in the original, or None when the
            text was ASCII and offsets are the identity.
        original_length: the length of the original text.

    Attributes:
        tokens: the set of word tokens, used to skip recognizers cheaply.
        sentence_ends: sorted offsets (in ``text``) of sentence ends.
        has_digit: whether the text contains a digit (digit-only recognizers skip otherwise).
    """

    __slots__ = (
        "_digit_runs",
        "_ends",
        "_positions",
        "_spans",
        "_starts",
        "_texts",
        "has_digit",
        "offsets",
        "original_length",
        "text",
        "tokens",
    )

    def __init__(self, text: str, offsets: tuple[int, ...] | None, original_length: int) -> None:
        self.text = text
        self.offsets = offsets
        self.original_length = original_length
        self.tokens = frozenset(_WORD.findall(text))
        self._ends: list[int] | None = None
        self.has_digit = _DIGIT.search(text) is not None
        self._spans: tuple[tuple[int, int, str], ...] | None = None
        self._starts: tuple[int, ...] = ()
        self._positions: dict[str, list[int]] | None = None
        self._texts: tuple[str, ...] = ()
        self._digit_runs: dict[int, bool] = {}

    def has_digit_run(self, length: int) -> bool:
        """Tell whether the text holds ``length`` digits in a row (cached per length).

        Args:
            length: the run length.

        Returns:
            True when such a run is in the text.
        """
        found = self._digit_runs.get(length)
        if found is None:
            found = self.has_digit and re.search(rf"\d{{{length}}}", self.text) is not None
            self._digit_runs[length] = found
        return found

    @property
    def sentence_ends(self) -> list[int]:
        """Sorted offsets of sentence ends, found on first use."""
        if self._ends is None:
            self._ends = [m.start() for m in _SENTENCE_END.finditer(self.text)]
        return self._ends

    @property
    def token_spans(self) -> tuple[tuple[int, int, str], ...]:
        """Every token (word or punctuation mark) as (start, end, text), found on first use."""
        if self._spans is None:
            # Built column by column (one C-level findall, one call per match): a 100 KB
            # input has ~200,000 tokens, and three method calls per match dominated.
            texts = tuple(_TOKEN.findall(self.text))
            starts = tuple([m.start() for m in _TOKEN.finditer(self.text)])
            self._spans = tuple(zip(starts, map(add, starts, map(len, texts)), texts, strict=True))
            self._starts = starts
            self._texts = texts
        return self._spans

    @property
    def positions(self) -> dict[str, list[int]]:
        """Token text -> indexes into :attr:`token_spans`, built on first use."""
        if self._positions is None:
            positions: dict[str, list[int]] = {}
            for i, tok in enumerate(self.token_texts):
                positions.setdefault(tok, []).append(i)
            self._positions = positions
        return self._positions

    @property
    def token_texts(self) -> tuple[str, ...]:
        """The text of each of :attr:`token_spans`."""
        _ = self.token_spans
        return self._texts

    @property
    def token_starts(self) -> tuple[int, ...]:
        """The start offsets of :attr:`token_spans`."""
        _ = self.token_spans
        return self._starts

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the normalised text back to the original text.

        Args:
            start: start offset in the normalised text.
            end: end offset in the normalised text.

        Returns:
            The corresponding (start, end) in the original text.
        """
        if self.offsets is None:
            return start, end
        if start >= len(self.offsets):
            return self.original_length, self.original_length
        last = self.offsets[end - 1] + 1 if end > 0 else 0
        return self.offsets[start], last

    def sentence(self, start: int, end: int) -> tuple[int, int]:
        """Return the bounds of the sentence (or sentences) containing a span.

        A sentence is clipped to ``MAX_SENTENCE`` characters either side of the span, so text
        without punctuation (a pasted log) costs a bounded amount of work per match.

        Args:
            start: start offset in the normalised text.
            end: end offset in the normalised text.

        Returns:
            (sentence start, sentence end) in the normalised text; the end includes the
            terminating punctuation so a question mark is inside.
        """
        ends = self.sentence_ends
        i = bisect.bisect_left(ends, start)
        lo = ends[i - 1] + 1 if i > 0 else 0
        j = bisect.bisect_left(ends, max(end - 1, start))
        hi = ends[j] + 1 if j < len(ends) else len(self.text)
        return max(lo, start - MAX_SENTENCE), min(hi, end + MAX_SENTENCE)


def _fold(text: str) -> tuple[str, tuple[int, ...] | None]:
    if text.isascii():
        return text.lower(), None
    text = text.translate(_PUNCT)
    if text.isascii():
        return text.lower(), None
    whole = unicodedata.normalize("NFKC", text).casefold()
    if len(whole) == len(text):
        # Length-preserving normalisation (the usual case for accented Latin text): the
        # offsets stay the identity.
        return whole, None
    parts: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        folded = unicodedata.normalize("NFKC", ch).casefold()
        parts.append(folded)
        offsets.extend([i] * len(folded))
    return "".join(parts), tuple(offsets)


def normalize(text: str) -> NormalizedText:
    """Normalise a message for matching.

    Args:
        text: the message text as received.

    Returns:
        The normalised text with its tokens, sentence ends and offset map.
    """
    folded, offsets = _fold(text)
    return NormalizedText(folded, offsets, len(text))


def normalize_phrase(phrase: str) -> str:
    """Normalise a word or phrase from a word list the same way as message text.

    Args:
        phrase: a context word, allow-list phrase or trigger phrase.

    Returns:
        The NFKC, case-folded phrase with runs of whitespace collapsed to one space.
    """
    folded, _ = _fold(phrase)
    return " ".join(folded.split())
