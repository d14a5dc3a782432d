"""R16 on the surfaces: the PIN gate keeps the thread shut and every surface says what to do."""

from __future__ import annotations

from vault_support import ACCOUNT, VaultFactory, add_account

from bot.domain.lock import LockState
from bot.domain.verification import NewPinRequired
from bot.services import conversations
from bot.services.challenges import LinkResult, LinkStatus
from bot.services.conversations import Message
from bot.services.pin_gate import submit_pin
from bot.storage.db import Database
from handlers.slack import blocks
from handlers.slack import messages as slack_messages
from handlers.slack.listeners import _error_for
from handlers.verify_page.page import _result
from handlers.zendesk.messages import outcome_note
from handlers.zendesk.sidebar import _outcome_json

from fakes import FrozenClock

KEY = "slack:T1/C1/1700000000.000100"
PIN = "48152039"


def test_after_r16_the_gate_refuses_even_the_right_pin_and_the_thread_stays_shut(
    database: Database, clock: FrozenClock, make_vault: VaultFactory
) -> None:
    """A wrong answer then a wrong PIN in one thread: the right PIN no longer unlocks it (R16)."""
    add_account(database, clock)
    vault = make_vault(backup_questions=("What was the name of your first pet?",))
    assert vault.enrol(ACCOUNT, PIN, actor="a", surface="cli", at_service_start=True).ok
    assert vault.set_backup_answer(ACCOUNT, "1", PIN, "Rex", actor="a", surface="cli").ok
    message = Message(
        message_id="1", text=f"{ACCOUNT} what calls were on my last bill?", author_role="customer"
    )
    with database.transaction() as session:
        conversations.screen(
            session,
            key=KEY,
            surface="slack",
            messages=[message],
            now=clock(),
            detector=conversations.default_detector(),
        )
    vault.verify_backup_answer(ACCOUNT, "Fido", actor="U", surface="slack", conversation_key=KEY)
    gate = {"key": KEY, "account_number": ACCOUNT, "actor": "U", "method": "agent"}
    wrong = submit_pin(database, vault, pin="90817263", ttl_minutes=30, now=clock(), **gate)
    right = submit_pin(database, vault, pin=PIN, ttl_minutes=30, now=clock(), **gate)
    assert wrong.outcome == right.outcome == NewPinRequired()
    assert right.view.state is not LockState.VERIFIED
    assert right.view.state in (LockState.LOCKED, LockState.CHALLENGED)


def test_every_surface_names_the_only_way_forward() -> None:
    """Slack, the Zendesk sidebar and note, and the verify page each show an R16 message."""
    outcome = NewPinRequired()
    block, text = _error_for(outcome)
    assert (block, text) == (blocks.PIN_BLOCK, slack_messages.ERROR_NEW_PIN_REQUIRED)
    assert "one-time code" in text and "photo ID" in text
    sidebar = _outcome_json(outcome)
    assert sidebar["result"] == "new_pin_required" and "one-time code" in sidebar["message"]
    note = outcome_note("new_pin_required", attempts_left=None, ref="r1")
    assert "R16" in note and "Do not share CPNI" in note
    page = _result(LinkResult(LinkStatus("valid"), outcome))
    assert page.status_code == 403
    assert b"new PIN" in page.body
