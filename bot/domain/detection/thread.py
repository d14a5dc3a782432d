"""Deciding a whole conversation: is it CPNI-sensitive, does it need a PIN, who disclosed.

A thread is sensitive once any message in it has a finding; later messages can make an
open thread sensitive but never make a sensitive one open again (R1). An agent message that
states CPNI is flagged as a disclosure (R6). The decision keeps categories, spans, scores and
explanations only, so it can go to the audit log as it is (R31).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.domain.detection.detector import Detector, MessageAnalysis
from bot.domain.detection.explain import render_reasons
from bot.domain.detection.model import Category, Finding, Message, Role, Signal

__all__ = ["MessageFinding", "ThreadDecision", "ThreadScanner", "decide_thread"]


@dataclass(frozen=True, slots=True)
class MessageFinding:
    """A finding with the position and author of the message it came from.

    Attributes:
        index: the message's position in the thread, from 0.
        role: who wrote the message.
        finding: the finding.
    """

    index: int
    role: Role
    finding: Finding

    def to_audit(self) -> dict[str, Any]:
        """Return an audit-safe dict (no text).

        Returns:
            The finding's audit dict with the message index and role.
        """
        return {"message": self.index, "role": self.role.value, **self.finding.to_audit()}


@dataclass(frozen=True, slots=True)
class ThreadDecision:
    """The detector's decision for a whole conversation.

    Attributes:
        sensitive: whether any message touches CPNI.
        requires_pin: whether a found category requires PIN verification by policy.
        categories: the categories found, sorted.
        disclosure: whether an agent stated CPNI in the thread.
        signals: risk signals seen (R3, R8, R9, R26); they never lock on their own.
        findings: every finding with its message index and author role.
        first_sensitive_message: index of the first message with a finding, if any.
        message_count: how many messages were scanned.
    """

    sensitive: bool
    requires_pin: bool
    categories: tuple[Category, ...]
    disclosure: bool
    signals: tuple[Signal, ...]
    findings: tuple[MessageFinding, ...]
    first_sensitive_message: int | None
    message_count: int

    def reasons(self) -> list[str]:
        """Explain the decision in words, without any message text.

        Returns:
            One line per category (strongest finding) and per disclosure and signal.
        """
        return render_reasons(self.findings, self.signals)

    def to_audit(self) -> dict[str, Any]:
        """Return a JSON-ready dict for the audit log; it holds no message text (R31).

        Returns:
            The decision's flags, categories, signals and findings.
        """
        return {
            "sensitive": self.sensitive,
            "requires_pin": self.requires_pin,
            "categories": [c.value for c in self.categories],
            "disclosure": self.disclosure,
            "signals": [s.value for s in self.signals],
            "first_sensitive_message": self.first_sensitive_message,
            "message_count": self.message_count,
            "findings": [f.to_audit() for f in self.findings],
        }


@dataclass
class ThreadScanner:
    """Accumulates a conversation message by message; keeps no message text.

    Args:
        detector: the detector to run.
    """

    detector: Detector
    _findings: list[MessageFinding] = field(default_factory=list)
    _signals: set[Signal] = field(default_factory=set)
    _count: int = 0

    def add(self, message: Message) -> MessageAnalysis:
        """Scan the next message of the conversation.

        Args:
            message: the message, in conversation order.

        Returns:
            The message's own analysis.
        """
        analysis = self.detector.analyze_message(message)
        self._findings.extend(
            MessageFinding(index=self._count, role=message.role, finding=f)
            for f in analysis.findings
        )
        self._signals.update(analysis.signals)
        self._count += 1
        return analysis

    def decision(self) -> ThreadDecision:
        """Decide the conversation as scanned so far.

        Returns:
            The thread decision.
        """
        categories = tuple(sorted({f.finding.category for f in self._findings}))
        signals = set(self._signals)
        if not categories:
            # R26 pretexting only matters around a CPNI request; R9 needs call detail.
            signals -= {Signal.PRETEXTING_RISK, Signal.CUSTOMER_SUPPLIED_CALL_DETAIL}
        return ThreadDecision(
            sensitive=bool(categories),
            requires_pin=self.detector.requires_pin(categories),
            categories=categories,
            disclosure=any(f.finding.disclosure for f in self._findings),
            signals=tuple(sorted(signals)),
            findings=tuple(self._findings),
            first_sensitive_message=self._findings[0].index if self._findings else None,
            message_count=self._count,
        )


def decide_thread(messages: Iterable[Message], *, detector: Detector) -> ThreadDecision:
    """Scan a conversation and decide it.

    Args:
        messages: the messages in conversation order.
        detector: the detector to run.

    Returns:
        The thread decision.
    """
    scanner = ThreadScanner(detector)
    for message in messages:
        scanner.add(message)
    return scanner.decision()
