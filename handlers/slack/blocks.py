"""Pure Block Kit builders: the sticky note, the PIN modal, the App Home and the "why" text.

Builders take views and plain values and return JSON-ready dicts; they never call Slack. No
builder puts a PIN, token or message body anywhere; ``private_metadata`` carries the
conversation key only (platform-notes.md A6).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.services.conversations import ConversationView
from handlers.slack import messages as m

__all__ = [
    "ACTION_LINK",
    "ACTION_VERIFY",
    "ACTION_WHY",
    "MODAL_CALLBACK",
    "NOTE_EVENT_TYPE",
    "home_view",
    "note_message",
    "pin_modal",
    "why_text",
]

ACTION_VERIFY = "cpni_verify"
ACTION_LINK = "cpni_link"
ACTION_WHY = "cpni_why"
MODAL_CALLBACK = "cpni_pin_modal"
ACCOUNT_BLOCK = "account"
PIN_BLOCK = "pin"
INPUT_ACTION = "value"
#: Message metadata type of the sticky note; its payload holds the conversation key only.
NOTE_EVENT_TYPE = "cpni_guard_note"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _button(text: str, action_id: str, value: str, *, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def _categories(view: ConversationView) -> str:
    return ", ".join(m.category_label(c) for c in view.categories) or "none yet"


def note_message(view: ConversationView) -> dict[str, Any]:
    """The sticky note's ``text``, ``blocks`` and ``metadata`` for the view's current state."""
    state = view.state.value
    lines = [m.STATE_HEADLINES.get(state, state)]
    details = m.state_details(
        state, until=view.until, by=view.verified_by, method=view.verified_method
    )
    if details:
        lines.append(details)
    account = f"*{view.account_number}*" if view.account_number else "_not identified yet_"
    blocks: list[dict[str, Any]] = [
        _section("\n".join(lines)),
        _section(f"Account: {account}\nCPNI seen: {_categories(view)}"),
    ]
    if view.is_locked and state != "locked_out":
        blocks.append(
            {
                "type": "actions",
                "block_id": "cpni_note_actions",
                "elements": [
                    _button(m.BUTTON_VERIFY, ACTION_VERIFY, view.key, style="primary"),
                    _button(m.BUTTON_LINK, ACTION_LINK, view.key),
                    _button(m.BUTTON_WHY, ACTION_WHY, view.key),
                ],
            }
        )
    else:
        blocks.append(
            {
                "type": "actions",
                "block_id": "cpni_note_actions",
                "elements": [_button(m.BUTTON_WHY, ACTION_WHY, view.key)],
            }
        )
    blocks.append(_context("cpni-guard · FCC CPNI rules (47 CFR 64.2010)"))
    return {
        "text": f"{m.NOTE_FALLBACK}: {state}",
        "blocks": blocks,
        "metadata": {"event_type": NOTE_EVENT_TYPE, "event_payload": {"key": view.key}},
    }


def why_text(view: ConversationView | None) -> str:
    """Why the thread is locked: categories and the detector's explanations."""
    if view is None or not view.categories:
        return m.WHY_NONE
    reasons = "\n".join(f"• {r}" for r in view.reasons[:10]) or "• (no explanation stored)"
    return f"{m.WHY_HEADER} ({m.STATE_HEADLINES.get(view.state.value, '')})\n{reasons}"


def _input(block_id: str, label: str, *, initial: str | None, hint: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": INPUT_ACTION,
        "max_length": 64,
    }
    if initial:
        element["initial_value"] = initial
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": element,
    }
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint}
    return block


def pin_modal(key: str, *, account_number: str | None, error: str | None = None) -> dict[str, Any]:
    """The PIN modal. ``private_metadata`` is the conversation key and nothing else.

    ``error`` is shown above the form when a check finished after the submission was already
    acknowledged (inline field errors are only possible inside the ack).
    """
    intro = [_section(f":warning: {error}")] if error else []
    return {
        "type": "modal",
        "callback_id": MODAL_CALLBACK,
        "private_metadata": key,
        "title": {"type": "plain_text", "text": m.MODAL_TITLE},
        "submit": {"type": "plain_text", "text": m.MODAL_SUBMIT},
        "close": {"type": "plain_text", "text": m.MODAL_CLOSE},
        "clear_on_close": True,
        "blocks": [
            *intro,
            _section(m.MODAL_INTRO),
            _input(ACCOUNT_BLOCK, m.MODAL_ACCOUNT_LABEL, initial=account_number, hint=None),
            _input(PIN_BLOCK, m.MODAL_PIN_LABEL, initial=None, hint=m.MODAL_PIN_HINT),
        ],
    }


def result_modal(key: str, text: str) -> dict[str, Any]:
    """A modal that only tells the outcome (checking, verified, locked out); no form."""
    return {
        "type": "modal",
        "callback_id": MODAL_CALLBACK,
        "private_metadata": key,
        "title": {"type": "plain_text", "text": m.MODAL_TITLE},
        "close": {"type": "plain_text", "text": m.MODAL_CLOSE},
        "clear_on_close": True,
        "blocks": [_section(text)],
    }


def submitted_values(view: dict[str, Any]) -> tuple[str, str]:
    """The account number and PIN typed into the modal (stripped; empty when missing)."""
    values = view.get("state", {}).get("values", {})

    def read(block: str) -> str:
        return str((values.get(block, {}).get(INPUT_ACTION, {}) or {}).get("value") or "").strip()

    return read(ACCOUNT_BLOCK), read(PIN_BLOCK)


def home_view(
    recent: Sequence[ConversationView],
    *,
    locked_out: Sequence[tuple[str, datetime | None]] | None,
) -> dict[str, Any]:
    """The App Home: the agent's recent checks, and locked-out accounts for supervisors."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": m.HOME_TITLE}},
        _section(m.HOME_RECENT),
    ]
    lines = [
        f"• {v.state.value} · account {v.account_number or '?'} · until {m.format_time(v.until)}"
        for v in recent
    ]
    blocks.append(_section("\n".join(lines) or m.HOME_RECENT_NONE))
    if locked_out is not None:
        blocks.append({"type": "divider"})
        blocks.append(_section(m.HOME_LOCKED_OUT))
        rows = [f"• {number} until {m.format_time(until)}" for number, until in locked_out]
        blocks.append(_section("\n".join(rows) or m.HOME_LOCKED_OUT_NONE))
    return {"type": "home", "blocks": blocks}
