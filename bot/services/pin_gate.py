"""Submitting a PIN for a conversation: verify through the vault, then move the lock.

Whatever the surface (Slack modal, Zendesk sidebar, self-service page, email reply), a PIN goes
through :func:`submit_pin`. The vault counts the attempt atomically and decides; this use case
only moves the conversation's lock accordingly. If verification cannot complete (database or
hasher failure), the exception propagates and the conversation stays locked: fail closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select

from bot.domain.audit import AuditAction, AuditEvent
from bot.domain.lock import on_challenge, on_locked_out, on_verified
from bot.domain.verification import LockedOut, Rejected, VerificationOutcome, Verified
from bot.services._conversation_store import ConversationView, load_row, save_lock, to_view
from bot.storage.accounts import Account
from bot.storage.audit_log import append
from bot.storage.db import Database
from bot.storage.records import Conversation

__all__ = ["GateResult", "PinVerifier", "submit_pin"]


class PinVerifier(Protocol):
    """The part of the PIN vault the gate needs."""

    def verify(
        self,
        account_number: str,
        pin: str,
        *,
        actor: str,
        surface: str,
        method: str,
        conversation_key: str | None = None,
    ) -> VerificationOutcome:
        """Count one attempt and decide it."""
        ...


@dataclass(frozen=True, slots=True)
class GateResult:
    """The vault's outcome and the conversation as it now stands."""

    outcome: VerificationOutcome
    view: ConversationView


def submit_pin(
    database: Database,
    vault: PinVerifier,
    *,
    key: str,
    account_number: str,
    pin: str,
    actor: str,
    method: str,
    ttl_minutes: int,
    now: datetime,
) -> GateResult:
    """Verify ``pin`` for ``account_number`` and update the conversation ``key``.

    Verified: the thread unlocks for that account only, until ``now + ttl`` (R17). Locked
    out: every conversation of the account shows ``locked_out``. Rejected: the thread stays
    challenged. New PIN required (R16): the thread stays locked as it is; the vault refuses
    every further check in it. The PIN is passed to the vault and nowhere else.
    """
    surface = key.split(":", 1)[0]
    outcome = vault.verify(
        account_number, pin, actor=actor, surface=surface, method=method, conversation_key=key
    )
    with database.transaction() as session:
        row = load_row(session, key=key, surface=surface, now=now, create=True)
        assert row is not None
        current = to_view(session, row).lock
        if isinstance(outcome, Verified):
            view = save_lock(
                session,
                row,
                on_verified(
                    current,
                    account_number=account_number,
                    by=actor,
                    method=method,
                    now=now,
                    ttl=timedelta(minutes=ttl_minutes),
                ),
                account_number=account_number,
                now=now,
            )
            append(
                session,
                AuditEvent(
                    occurred_at=now,
                    actor=actor,
                    action=AuditAction.CONVERSATION_UNLOCKED,
                    surface=surface,
                    conversation_key=key,
                    account_number=account_number,
                    method=method,
                    outcome="verified",
                    categories=view.categories,
                    details={"until": view.until.isoformat() if view.until else None},
                ),
            )
        elif isinstance(outcome, LockedOut):
            account_id = session.scalar(
                select(Account.id).where(Account.account_number == account_number)
            )
            others = (
                session.scalars(
                    select(Conversation)
                    .where(
                        Conversation.account_id == account_id,
                        Conversation.key != key,
                    )
                    .with_for_update()
                ).all()
                if account_id is not None
                else []
            )
            for other in others:
                save_lock(
                    session,
                    other,
                    on_locked_out(to_view(session, other).lock, until=outcome.until),
                    now=now,
                )
            view = save_lock(
                session,
                row,
                on_locked_out(current, until=outcome.until),
                account_number=account_number,
                now=now,
            )
        elif isinstance(outcome, Rejected) and current.is_locked:
            view = save_lock(session, row, on_challenge(current, now=now), now=now)
        else:
            view = to_view(session, row)
    return GateResult(outcome=outcome, view=view)
