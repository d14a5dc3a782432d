"""The prescan: which compiled patterns to run on a message, from its words alone.

Every pattern has a bit. Each anchor word maps to the mask of the patterns it enables and
each ``also`` word to the mask of the patterns whose second word group it satisfies, so a
message's selection is one set intersection and a few integer ORs:
``anchors & (also | no_also)``. The list of (recognizer, patterns) for a mask is
memoised (messages of one kind enable the same patterns), with a bounded memo.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.detection._specs import ANY_DIGIT, CompiledPattern
from bot.domain.detection.recognizer import Recognizer

__all__ = ["Prescan", "Selection"]

Selection = tuple[tuple[Recognizer, tuple[CompiledPattern, ...]], ...]
"""The patterns to run, grouped by recognizer, in registry order."""

_MEMO_SIZE = 4096


class Prescan:
    """Maps a message's word tokens to the patterns worth running.

    Args:
        recognizers: the compiled recognizers, in registry order.
    """

    def __init__(self, recognizers: Sequence[Recognizer]) -> None:
        self._slots = tuple((rec, pattern) for rec in recognizers for pattern in rec.patterns)
        anchors: dict[str, int] = {}
        also: dict[str, int] = {}
        always = no_also = 0
        for bit, (_, pattern) in enumerate(self._slots):
            if not pattern.anchors:
                always |= 1 << bit
            if not pattern.also:
                no_also |= 1 << bit
            for token in pattern.anchors:
                anchors[token] = anchors.get(token, 0) | 1 << bit
            for token in pattern.also:
                also[token] = also.get(token, 0) | 1 << bit
        self._masks = {
            token: (anchors.get(token, 0), also.get(token, 0))
            for token in frozenset(anchors) | frozenset(also)
        }
        self._always = always
        self._no_also = no_also
        self._vocabulary = frozenset(anchors) | frozenset(also)
        self._digit = self._masks.get(ANY_DIGIT, (0, 0))
        self._memo: dict[int, Selection] = {}
        self.everything: Selection = tuple(
            (rec, tuple(rec.patterns)) for rec in recognizers if rec.patterns
        )

    def select(self, tokens: frozenset[str], *, has_digit: bool) -> Selection:
        """Return the patterns whose anchor (and ``also``) words are in the message.

        Args:
            tokens: the message's word tokens.
            has_digit: whether the message holds a digit (the ``ANY_DIGIT`` pseudo word).

        Returns:
            (recognizer, patterns) pairs in registry order.
        """
        enabled = self._always
        satisfied = self._no_also
        if has_digit:
            enabled |= self._digit[0]
            satisfied |= self._digit[1]
        masks = self._masks
        for token in tokens & self._vocabulary:
            anchor_bits, also_bits = masks[token]
            enabled |= anchor_bits
            satisfied |= also_bits
        mask = enabled & satisfied
        found = self._memo.get(mask)
        if found is None:
            found = self._group(mask)
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            self._memo[mask] = found
        return found

    def _group(self, mask: int) -> Selection:
        groups: list[tuple[Recognizer, tuple[CompiledPattern, ...]]] = []
        current: Recognizer | None = None
        chosen: list[CompiledPattern] = []
        while mask:
            low = mask & -mask
            mask ^= low
            rec, pattern = self._slots[low.bit_length() - 1]
            if rec is not current:
                if current is not None:
                    groups.append((current, tuple(chosen)))
                current, chosen = rec, []
            chosen.append(pattern)
        if current is not None:
            groups.append((current, tuple(chosen)))
        return tuple(groups)
