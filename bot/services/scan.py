"""The scan use case: audit past tickets and chats for CPNI (``cpni-guard scan``, issue 4).

Reads JSON Lines, CSV, a Zendesk ticket export or a Slack export folder, groups messages
into conversations (rows with the same ``thread`` value, in file order), and decides each
conversation with the detector. Nothing is written and no message text leaves the process:
results carry categories and reasons only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.domain.detection import Detector, Message, Role, ThreadDecision, ThreadScanner
from bot.services._scan_readers import (
    ScanProblem,
    ScanRow,
    read_csv,
    read_jsonl,
    read_slack,
    read_zendesk,
)

__all__ = [
    "ConversationResult",
    "ScanProblem",
    "ScanRow",
    "ScanSummary",
    "read_messages",
    "scan_path",
    "scan_rows",
]


@dataclass(frozen=True, slots=True)
class ConversationResult:
    """The decision for one conversation of the input.

    Attributes:
        id: the conversation's key (the ``thread`` value, or the row id).
        decision: the detector's thread decision.
    """

    id: str
    decision: ThreadDecision

    def to_json(self) -> dict[str, Any]:
        """Return the ``--format jsonl`` contract object (no message text).

        Returns:
            ``id``, ``sensitive``, ``requires_pin``, ``categories``, ``reasons``, plus
            ``disclosure``, ``signals`` and ``messages``.
        """
        d = self.decision
        return {
            "id": self.id,
            "sensitive": d.sensitive,
            "requires_pin": d.requires_pin,
            "categories": [c.value for c in d.categories],
            "reasons": d.reasons(),
            "disclosure": d.disclosure,
            "signals": [s.value for s in d.signals],
            "messages": d.message_count,
        }


@dataclass
class ScanSummary:
    """Totals of a scan, filled in as results are produced.

    Attributes:
        conversations: conversations decided.
        messages: messages scanned.
        sensitive: sensitive conversations.
        requires_pin: conversations that require a PIN.
        disclosures: conversations with an agent disclosure.
        problems: unreadable or malformed input parts.
        categories: conversations per category.
    """

    conversations: int = 0
    messages: int = 0
    sensitive: int = 0
    requires_pin: int = 0
    disclosures: int = 0
    problems: int = 0
    categories: dict[str, int] | None = None

    def add(self, result: ConversationResult) -> None:
        """Count one conversation.

        Args:
            result: the conversation's result.
        """
        d = result.decision
        self.conversations += 1
        self.messages += d.message_count
        self.sensitive += d.sensitive
        self.requires_pin += d.requires_pin
        self.disclosures += d.disclosure
        counts = self.categories if self.categories is not None else {}
        for category in d.categories:
            counts[category.value] = counts.get(category.value, 0) + 1
        self.categories = counts


def read_messages(path: Path) -> Iterator[ScanRow | ScanProblem]:
    """Read an input, choosing the reader by its shape.

    Args:
        path: a ``.jsonl``/``.ndjson`` or ``.csv`` file, a Zendesk ``.json`` export, or a
            Slack export folder.

    Yields:
        Rows and problems in input order.
    """
    if path.is_dir():
        yield from read_slack(path)
        return
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield from read_csv(path)
    elif suffix == ".json":
        yield from read_zendesk(path)
    else:
        yield from read_jsonl(path)


def _role(value: str) -> Role:
    try:
        return Role(value.lower())
    except ValueError:
        return Role.CUSTOMER


def scan_rows(
    items: Iterable[ScanRow | ScanProblem],
    *,
    detector: Detector,
    on_problem: Callable[[ScanProblem], None] | None = None,
) -> Iterator[ConversationResult]:
    """Decide each conversation of a stream of rows.

    Conversations are decided when the input ends (a later row may join an earlier thread),
    in order of first appearance. Only the per-thread accumulators are kept, not the text.

    Args:
        items: rows and problems, in input order.
        detector: the compiled detector.
        on_problem: called with each problem as it is met.

    Yields:
        One result per conversation.
    """
    scanners: dict[str, ThreadScanner] = {}
    for item in items:
        if isinstance(item, ScanProblem):
            if on_problem is not None:
                on_problem(item)
            continue
        scanner = scanners.get(item.conversation)
        if scanner is None:
            scanner = scanners[item.conversation] = ThreadScanner(detector)
        scanner.add(Message(item.text, _role(item.author_role), item.channel))
    for key, scanner in scanners.items():
        yield ConversationResult(id=key, decision=scanner.decision())


def scan_path(
    path: Path,
    *,
    detector: Detector,
    on_problem: Callable[[ScanProblem], None] | None = None,
) -> Iterator[ConversationResult]:
    """Read and decide an input file or folder.

    Args:
        path: the input (see :func:`read_messages`).
        detector: the compiled detector.
        on_problem: called with each problem as it is met.

    Yields:
        One result per conversation.
    """
    yield from scan_rows(read_messages(path), detector=detector, on_problem=on_problem)
