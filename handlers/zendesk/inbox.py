"""The worker side of a Zendesk event: screen the ticket's conversation, then queue effects.

The inbox handler only turns the stored event into a ``zendesk.screen`` effect (in the
transaction that marks the event done). The effect reads the ticket, its comments and its
requester through the API outside any transaction, then screens the whole thread with
:func:`bot.services.conversations.screen` in one short transaction. A failed read raises
:class:`~bot.errors.RetryLaterError`; the effect is retried, never lost. Zendesk writes are only
ever queued as further outbox effects.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from bot.domain.lock import LockState
from bot.errors import RetryLaterError
from bot.services import conversations
from bot.services.conversations import Message
from bot.worker import ClaimedItem, enqueue_effect
from handlers.zendesk.complaints import record_complaint_tags
from handlers.zendesk.context import SURFACE, ZendeskContext
from handlers.zendesk.gateway import CommentInfo, TicketInfo, ZendeskGateway
from handlers.zendesk.matching import candidate_accounts
from handlers.zendesk.messages import MARKER_PREFIX
from handlers.zendesk.payloads import EMAIL_CHANNELS, TicketEvent

__all__ = ["handle_event", "screen_ticket", "to_messages"]

log = logging.getLogger(__name__)
_CLOSED = frozenset({"solved", "closed"})
_LAG_ATTEMPTS = 3
_CHANNELS = {"voice": "phone", "phone": "phone", "web": "web", "api": "web", "web_service": "web"}


def _channel(via: str | None) -> str:
    via = (via or "").lower()
    if via in EMAIL_CHANNELS:
        return "email"
    return _CHANNELS.get(via, "chat")


def to_messages(
    comments: list[CommentInfo], *, requester_id: str | None, ticket_channel: str | None
) -> list[Message]:
    """The ticket's comments as core messages, without the bot's own notes."""
    found = []
    for c in comments:
        if MARKER_PREFIX in c.body:
            continue
        role = "customer" if c.author_id is not None and c.author_id == requester_id else "agent"
        found.append(
            Message(
                message_id=c.id,
                text=c.body,
                author_role=role,
                author_id=c.author_id,
                channel=_channel(c.channel or ticket_channel),
            )
        )
    return found


def _thread(
    gateway: ZendeskGateway, ticket_id: str, *, comment_id: str | None, attempts: int
) -> tuple[TicketInfo, list[CommentInfo]]:
    ticket = gateway.ticket(ticket_id)
    comments = gateway.comments(ticket_id)
    if comment_id and all(c.id != comment_id for c in comments) and attempts < _LAG_ATTEMPTS:
        # The API can lag the event by a moment: wait for the comment rather than miss it.
        raise RetryLaterError("comment not yet visible through the API", retry_after=2)
    return ticket, comments


def handle_event(ctx: ZendeskContext, session: Session, item: ClaimedItem) -> None:
    """Inbox side: turn the stored event into a ``zendesk.screen`` effect (no body kept).

    The Zendesk reads happen in the effect, outside any transaction, so a slow or failing API
    never holds database locks (on SQLite every write transaction is exclusive).
    """
    event = TicketEvent.from_inbox(item.payload)
    payload = {
        "ticket_id": event.ticket_id,
        "comment_id": event.comment.id if event.comment else None,
        "kind": event.kind,
    }
    _enqueue(session, ctx, f"zendesk:screen:{event.event_id}", "zendesk.screen", payload)


def screen_ticket(ctx: ZendeskContext, item: ClaimedItem) -> dict[str, Any]:
    """Effect ``zendesk.screen``: read the ticket, screen it, queue notes, prompts, redactions."""
    ticket_id, comment_id = str(item.payload["ticket_id"]), item.payload.get("comment_id")
    key = ctx.key_for(ticket_id)
    gateway = ctx.gateway()
    ticket, comments = _thread(gateway, ticket_id, comment_id=comment_id, attempts=item.attempts)
    requester = gateway.user(ticket.requester_id) if ticket.requester_id else None
    messages = to_messages(
        comments, requester_id=ticket.requester_id, ticket_channel=ticket.channel
    )
    with ctx.container.database.transaction() as session:
        now = ctx.now()
        record_complaint_tags(session, key=key, tags=ticket.tags, now=now)
        before = conversations.get_view(session, key)
        if (ticket.status or "") in _CLOSED:
            if before is not None and before.state in (LockState.VERIFIED, LockState.OVERRIDDEN):
                conversations.lock(session, key=key, surface=SURFACE, actor="system", now=now)
            return {"state": "closed"}
        account = None
        if requester is not None and (before is None or before.account_number is None):
            found = candidate_accounts(session, email=requester.email, phone=requester.phone)
            account = found[0] if len(found) == 1 else None
        outcome = conversations.screen(
            session,
            key=key,
            surface=SURFACE,
            messages=messages,
            new_message_ids={comment_id} if comment_id else None,
            account_number=account,
            actor="system",
            now=now,
            detector=ctx.detector,
        )
        _follow_up(session, ctx, outcome, messages, ticket=ticket, key=key)
    log.info(
        "zendesk ticket screened",
        extra={
            "ticket_id": ticket_id,
            "state": outcome.view.state.value,
            "newly_locked": outcome.newly_locked,
        },
    )
    return {"state": outcome.view.state.value, "version": outcome.view.version}


def _follow_up(
    session: Session,
    ctx: ZendeskContext,
    outcome: conversations.ScreenOutcome,
    messages: list[Message],
    *,
    ticket: TicketInfo,
    key: str,
) -> None:
    now = ctx.now()
    if (
        outcome.newly_locked
        and _channel(ticket.channel) == "email"
        and ctx.settings.zendesk_email_prompt
    ):
        view = conversations.start_challenge(
            session, key=key, actor="system", method="reply", now=now
        )
        _enqueue(
            session,
            ctx,
            f"{key}:prompt:{view.version}",
            "zendesk.customer_prompt",
            {"key": key, "mode": "reply", "actor": "system"},
        )
    by_id = {m.message_id: m for m in messages}
    for message_id in outcome.pin_in_clear:
        message = by_id.get(message_id)
        if message is None:
            continue
        customer = message.author_role == "customer"
        _enqueue(
            session,
            ctx,
            f"{key}:pin_reply:{message_id}",
            "zendesk.pin_reply",
            {"key": key, "comment_id": message_id, "verify": customer and outcome.view.is_locked},
        )


def _enqueue(
    session: Session, ctx: ZendeskContext, key: str, kind: str, payload: dict[str, Any]
) -> None:
    enqueue_effect(session, key=key, kind=kind, payload=payload, now=ctx.now())
