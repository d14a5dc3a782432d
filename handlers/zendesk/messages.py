"""Every text the Zendesk surface writes: internal notes and customer replies (one place).

Notes name categories, reasons, who verified, how and until when: never a PIN, token or message
text. Each bot comment ends with a reference marker, which is how a retried effect recognises
that its comment was already posted (idempotency on the remote side).
"""

from __future__ import annotations

from datetime import datetime

from bot.domain.lock import LockState
from bot.services.conversations import ConversationView

__all__ = [
    "MARKER_PREFIX",
    "customer_prompt",
    "marker",
    "outcome_note",
    "state_note",
]

MARKER_PREFIX = "cpni-guard ref"

_METHODS = {
    "agent": "PIN given to the agent (sidebar)",
    "link": "PIN entered on the secure self-service page",
    "reply": "PIN sent by email reply (redacted)",
    "override": "supervisor override",
}


def marker(ref: str) -> str:
    """The reference line that makes a bot comment recognisable."""
    return f"[{MARKER_PREFIX} {ref}]"


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "until a supervisor unlocks it"


def state_note(view: ConversationView, *, ref: str) -> str | None:
    """The internal note for the conversation's state, or ``None`` if there is nothing to say."""
    account = view.account_number or "not identified yet (choose it in the CPNI sidebar)"
    lines: list[str]
    if view.state in (LockState.LOCKED, LockState.CHALLENGED):
        lines = [
            "PIN required: this ticket touches CPNI.",
            f"Categories: {', '.join(view.categories) or 'none recorded'}.",
            *(f"- {reason}" for reason in view.reasons[:8]),
            f"Account: {account}.",
            "Do not share or change account information until the customer's PIN is verified "
            "(CPNI sidebar: enter the caller's PIN or send the secure link). "
            "Internal notes are allowed.",
        ]
    elif view.state is LockState.VERIFIED:
        lines = [
            f"PIN verified by {view.verified_by or 'unknown'} "
            f"({_METHODS.get(view.verified_method or '', view.verified_method or 'unknown')}).",
            f"Account: {account}. CPNI may be discussed on this ticket until {_when(view.until)}.",
        ]
    elif view.state is LockState.OVERRIDDEN:
        lines = [
            f"Lock overridden by supervisor {view.verified_by or 'unknown'} "
            f"until {_when(view.until)}. The reason is in the audit log.",
        ]
    elif view.state is LockState.LOCKED_OUT:
        until = f"until {_when(view.until)}" if view.until else _when(None)
        lines = [
            f"Account locked out after too many wrong PINs: no CPNI on this ticket {until}.",
            f"Account: {account}.",
        ]
    else:
        return None
    return "\n".join([*lines, "", marker(ref)])


#: R16: the PIN and the backup answer both failed in one interaction.
NEW_PIN_REQUIRED = (
    "The PIN and the backup answer both failed on this ticket, so cpni-guard accepts no further "
    "check here (R16). Do not share CPNI. The only way forward is a new PIN, set after a "
    "one-time code sent to the contact of record or an in-person photo-ID check; never ask for "
    "SSN, date of birth, address or account details instead."
)


def outcome_note(outcome: str, *, attempts_left: int | None, ref: str) -> str:
    """The internal note for a PIN reply that did not unlock the ticket."""
    texts = {
        "rejected": "A PIN sent by email did not match"
        + (f" ({attempts_left} attempt(s) left)." if attempts_left is not None else "."),
        "no_account": "The customer replied with what looks like a PIN, but no account is "
        "linked to this ticket: choose the account in the CPNI sidebar and ask again.",
        "ambiguous": "The customer's reply held several numbers; none was tried as the PIN.",
        "no_pin_on_file": "The account has no PIN on file: enrol one before sharing CPNI.",
        "unknown_account": "The linked account is not in the directory.",
        "locked_out": "Too many wrong PINs: the account is locked out.",
        "new_pin_required": NEW_PIN_REQUIRED,
    }
    body = texts.get(outcome, "The PIN reply could not be verified.")
    return "\n".join([body, "The reply was redacted from the ticket.", "", marker(ref)])


def customer_prompt(*, link: str | None, link_expires: datetime | None, ref: str) -> str:
    """The public reply asking the customer to prove who they are."""
    lines = [
        "Hello,",
        "",
        "To protect your account, we need to confirm your account PIN before we can discuss "
        "or change account details.",
    ]
    if link:
        lines += [
            "",
            f"The safest way: open this secure page and enter your PIN there: {link}",
            f"(the link works once and expires at {_when(link_expires)}).",
        ]
    lines += [
        "",
        "Or reply to this email with your PIN only. We remove it from the ticket immediately.",
        "We will never ask for your PIN in any other way.",
        "",
        marker(ref),
    ]
    return "\n".join(lines)
