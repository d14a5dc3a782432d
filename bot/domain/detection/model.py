"""Value types of the CPNI detector: categories, roles, findings and messages.

Nothing here holds matched text. A :class:`Finding` carries the category, the span (offsets
into the message), a score and an :class:`Explanation` made only of detector vocabulary, so
it can be logged, audited or shown without leaking CPNI (style rule 4, R31).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Category",
    "Explanation",
    "Finding",
    "Message",
    "Role",
    "Signal",
]


class Category(enum.StrEnum):
    """A CPNI category a finding belongs to (R1, R2, R4, R29; issue 4)."""

    CALL_DETAIL = "call_detail"
    """Specific calls or messages: numbers called or calling, when, how long (R2, R7)."""
    USAGE_BILLING = "usage_billing"
    """The customer's own usage, bill contents, plan, services and features (R1)."""
    ACCOUNT_IDENTIFIERS = "account_identifiers"
    """Account numbers, PINs, and the contact data held on the account (section 2)."""
    CREDENTIAL_CHANGE = "credential_change"
    """Create, change, reset or forget a PIN, password, login or back-up answer (R4 a-c)."""
    ADDRESS_CHANGE = "address_change"
    """Change of the postal or e-mail address of record, or the number of record (R4 d)."""
    PORT_OR_SIM = "port_or_sim"
    """Port-out, number-transfer PIN, SIM swap, new SIM or eSIM on a line (R29)."""


class Role(enum.StrEnum):
    """Who wrote a message in a conversation."""

    CUSTOMER = "customer"
    AGENT = "agent"
    SYSTEM = "system"


class Signal(enum.StrEnum):
    """A risk signal that does not make a thread sensitive by itself."""

    DIRECTORY_LISTING = "directory_listing"
    """Published directory data was discussed; it is not CPNI (R3)."""
    PIN_PROMPT_HINT = "pin_prompt_hint"
    """An agent hinted at the PIN with biographical or account data (R8)."""
    CUSTOMER_SUPPLIED_CALL_DETAIL = "customer_supplied_call_detail"
    """The customer stated call detail themselves (R9); it is not authentication."""
    PRETEXTING_RISK = "pretexting_risk"
    """Third-party authority, urgency or a new destination around a CPNI request (R26)."""


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a finding was made, in detector vocabulary only (never message text).

    Attributes:
        detector: the registry name of the detector that fired.
        pattern: the name of the pattern inside that detector.
        base_score: the pattern's score before context.
        context: the context words (from the detector's word lists) found near the match.
        disclosure: True when an agent stated the data rather than asked for it.
    """

    detector: str
    pattern: str
    base_score: float
    context: tuple[str, ...] = ()
    disclosure: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict of the explanation.

        Returns:
            The detector, pattern, base score, context words and disclosure flag.
        """
        return {
            "detector": self.detector,
            "pattern": self.pattern,
            "base_score": round(self.base_score, 2),
            "context": list(self.context),
            "disclosure": self.disclosure,
        }


@dataclass(frozen=True, slots=True)
class Finding:
    """One category found in one message.

    Attributes:
        category: the CPNI category.
        start: offset of the match in the message text (inclusive).
        end: offset of the match in the message text (exclusive).
        score: confidence from 0 to 1 after context.
        explanation: how the finding was made, without any matched text.
    """

    category: Category
    start: int
    end: int
    score: float
    explanation: Explanation

    @property
    def disclosure(self) -> bool:
        """Whether an agent stated CPNI in this finding (rather than asked for it)."""
        return self.explanation.disclosure

    def to_audit(self) -> dict[str, Any]:
        """Return a dict safe for logs and the audit trail: no matched text (R31).

        Returns:
            Category, span, rounded score and the explanation.
        """
        return {
            "category": self.category.value,
            "span": [self.start, self.end],
            "score": round(self.score, 2),
            **self.explanation.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class Message:
    """A message of a conversation as the detector sees it.

    Attributes:
        text: the message body (for e-mail, the raw body; it is cleaned before scanning).
        role: who wrote it.
        channel: the surface it came from (``email``, ``chat``, ``slack``, ``phone``...);
            the policy's ``email_channels`` are cleaned of quotes and signatures first.
    """

    text: str
    role: Role = Role.CUSTOMER
    channel: str | None = None
