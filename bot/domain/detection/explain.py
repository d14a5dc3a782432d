"""Human-readable reasons for a thread decision, built from vocabulary only (no text)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.domain.detection.model import Category, Signal

if TYPE_CHECKING:
    from bot.domain.detection.thread import MessageFinding

__all__ = ["RULES", "render_reasons"]

RULES: dict[Category, str] = {
    Category.CALL_DETAIL: "R2",
    Category.USAGE_BILLING: "R1",
    Category.ACCOUNT_IDENTIFIERS: "R1",
    Category.CREDENTIAL_CHANGE: "R4",
    Category.ADDRESS_CHANGE: "R4",
    Category.PORT_OR_SIM: "R29",
}
_SIGNAL_TEXT: dict[Signal, str] = {
    Signal.DIRECTORY_LISTING: "directory listing discussed: not CPNI on its own (R3)",
    Signal.PIN_PROMPT_HINT: "agent hinted at the PIN with biographical or account data (R8)",
    Signal.CUSTOMER_SUPPLIED_CALL_DETAIL: (
        "customer stated call detail themselves; not authentication (R9)"
    ),
    Signal.PRETEXTING_RISK: "pretexting signs near a CPNI request (R26)",
}


def render_reasons(findings: Sequence[MessageFinding], signals: Sequence[Signal]) -> list[str]:
    """Explain findings and signals in one line each, without message text.

    Args:
        findings: the thread's findings with message index and role.
        signals: the thread's signals.

    Returns:
        For each category its strongest finding, then each disclosure, then each signal.
    """
    best: dict[Category, MessageFinding] = {}
    for item in findings:
        current = best.get(item.finding.category)
        if current is None or item.finding.score > current.finding.score:
            best[item.finding.category] = item
    lines = []
    for category in sorted(best):
        item = best[category]
        exp = item.finding.explanation
        count = sum(1 for f in findings if f.finding.category is category)
        context = f"; context: {', '.join(exp.context)}" if exp.context else ""
        lines.append(
            f"{category.value} ({RULES[category]}): {exp.detector}/{exp.pattern} in message "
            f"{item.index + 1} ({item.role.value}), score {item.finding.score:.2f}{context}"
            f"{f'; {count} findings' if count > 1 else ''}"
        )
    disclosed = sorted(
        {(f.index, f.finding.category.value) for f in findings if f.finding.disclosure}
    )
    lines.extend(f"agent disclosure of {cat} in message {idx + 1} (R6)" for idx, cat in disclosed)
    lines.extend(_SIGNAL_TEXT[s] for s in signals)
    return lines
