"""Outbox effects that write to Zendesk: notes, tags, the lock field, prompts, redactions.

Each effect is delivered at least once, so each checks the remote side before writing: a note
or reply carries a reference marker and is not posted again if a comment with that marker is
already on the ticket; a tag is added only if missing. Zendesk errors surface as
:class:`~bot.errors.RetryLaterError` (429 with ``Retry-After``, 5xx, network) and the outbox
reschedules the effect, so an outage delays notes but loses none.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from sqlalchemy import select

from bot.domain.lock import LockState
from bot.domain.verification import Rejected
from bot.services import challenges, conversations, pin_gate
from bot.storage.queues import OutboxItem
from bot.worker import ClaimedItem, enqueue_effect
from handlers.zendesk.context import ZendeskContext, ticket_id_of
from handlers.zendesk.gateway import CommentInfo, ZendeskGateway
from handlers.zendesk.messages import customer_prompt, marker, outcome_note, state_note
from handlers.zendesk.pin_reply import digit_groups, extract_pin, redaction_html

__all__ = [
    "LOCKED_TAG",
    "VERIFIED_TAG",
    "customer_prompt_effect",
    "outcome_note_effect",
    "pin_reply_effect",
    "redact_effect",
    "sync_note",
]

log = logging.getLogger(__name__)
LOCKED_TAG = "cpni_locked"
VERIFIED_TAG = "cpni_verified"


def _ref(idempotency_key: str) -> str:
    return hashlib.sha256(idempotency_key.encode()).hexdigest()[:12]


def _posted(comments: list[CommentInfo], ref: str) -> CommentInfo | None:
    needle = marker(ref)
    return next((c for c in comments if needle in c.body), None)


def _version_of(item: ClaimedItem) -> int | None:
    tail = item.idempotency_key.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else None


def sync_note(ctx: ZendeskContext, item: ClaimedItem) -> dict[str, Any] | None:
    """Effect ``zendesk.sync_note``: one internal note per visible change, tags, lock field."""
    key = str(item.payload["key"])
    with ctx.container.database.transaction() as session:
        view = conversations.get_view(session, key)
    if view is None:
        return {"skipped": "unknown conversation"}
    version = _version_of(item)
    if version is not None and view.version > version:
        return {"skipped": "superseded"}  # a newer sync effect describes the current state
    ticket_id = ticket_id_of(key)
    ref = _ref(f"{key}:note:{view.version}")
    body = state_note(view, ref=ref)
    if body is None:
        return {"skipped": "nothing to say"}
    gateway = ctx.gateway()
    existing = _posted(gateway.comments(ticket_id), ref)
    field_id = ctx.settings.zendesk_lock_field_id
    note_id = (
        existing.id
        if existing
        else gateway.add_comment(
            ticket_id,
            body=body,
            public=False,
            custom_field=(field_id, view.state.value) if field_id else None,
        )
    )
    _sync_tags(gateway, ticket_id, view.state)
    if note_id:
        with ctx.container.database.transaction() as session:
            conversations.set_note_ref(session, key=key, note_ref=note_id)
    return {"note": note_id, "state": view.state.value}


def _sync_tags(gateway: ZendeskGateway, ticket_id: str, state: LockState) -> None:
    tags = set(gateway.ticket(ticket_id).tags)
    if state in (LockState.LOCKED, LockState.CHALLENGED, LockState.LOCKED_OUT):
        add, remove = LOCKED_TAG, VERIFIED_TAG
    elif state in (LockState.VERIFIED, LockState.OVERRIDDEN):
        add, remove = VERIFIED_TAG, LOCKED_TAG
    else:
        return
    if add not in tags:
        gateway.add_tags(ticket_id, [add])
    if remove in tags:
        gateway.remove_tags(ticket_id, [remove])


def customer_prompt_effect(ctx: ZendeskContext, item: ClaimedItem) -> dict[str, Any] | None:
    """Effect ``zendesk.customer_prompt``: a public reply asking for the PIN or the link.

    The link is issued here, at delivery time, so its token is never stored anywhere but in
    the reply to the customer (the outbox payload holds no token).
    """
    key = str(item.payload["key"])
    ticket_id = ticket_id_of(key)
    ref = _ref(item.idempotency_key)
    gateway = ctx.gateway()
    if _posted(gateway.comments(ticket_id), ref):
        return {"skipped": "already posted"}
    link = expires = None
    with ctx.container.database.transaction() as session:
        try:
            issued = challenges.create_link(
                session,
                key=key,
                account_number=None,
                created_by=str(item.payload.get("actor") or "system"),
                now=ctx.now(),
                ttl_minutes=ctx.link_ttl_minutes,
            )
            link, expires = ctx.public_link(issued.path), issued.expires_at
        except LookupError:
            if item.payload.get("mode") == "link":
                return {"skipped": "no account linked"}
    comment_id = gateway.add_comment(
        ticket_id, body=customer_prompt(link=link, link_expires=expires, ref=ref), public=True
    )
    return {"comment": comment_id, "link": link is not None}


def _already_verified(ctx: ZendeskContext, redact_key: str) -> bool:
    with ctx.container.database.transaction() as session:
        found = session.scalar(
            select(OutboxItem.id).where(OutboxItem.idempotency_key == redact_key)
        )
    return found is not None


def pin_reply_effect(ctx: ZendeskContext, item: ClaimedItem) -> dict[str, Any] | None:
    """Effect ``zendesk.pin_reply``: verify a PIN sent in a reply, then queue its redaction.

    The PIN is read from the comment through the API, passed to the vault, and dropped; the
    outcome note never contains it. The queued redaction marks the reply as handled, so a
    retried effect never counts the same PIN twice.
    """
    key, comment_id = str(item.payload["key"]), str(item.payload["comment_id"])
    ticket_id = ticket_id_of(key)
    redact_key = f"{key}:redact:{comment_id}"
    if _already_verified(ctx, redact_key):
        return {"skipped": "already handled"}
    comment = next((c for c in ctx.gateway().comments(ticket_id) if c.id == comment_id), None)
    pin, candidates = extract_pin(comment.body) if comment else (None, 0)
    outcome: str | None = None
    attempts_left = None
    if item.payload.get("verify") and candidates:
        outcome, attempts_left = _verify(
            ctx, key, pin, author=comment.author_id if comment else None
        )
    with ctx.container.database.transaction() as session:
        now = ctx.now()
        if candidates:
            enqueue_effect(
                session,
                key=redact_key,
                kind="zendesk.redact",
                payload={"key": key, "comment_id": comment_id},
                now=now,
            )
        if outcome and outcome != "verified":
            enqueue_effect(
                session,
                key=f"{key}:outcome:{comment_id}",
                kind="zendesk.outcome_note",
                payload={"key": key, "outcome": outcome, "attempts_left": attempts_left},
                now=now,
            )
    return {"outcome": outcome or "not_verified", "redaction": bool(candidates)}


def _verify(
    ctx: ZendeskContext, key: str, pin: str | None, *, author: str | None
) -> tuple[str, int | None]:
    if pin is None:
        return "ambiguous", None
    with ctx.container.database.transaction() as session:
        view = conversations.get_view(session, key)
    if view is None or view.account_number is None:
        return "no_account", None
    result = pin_gate.submit_pin(
        ctx.container.database,
        ctx.vault(),
        key=key,
        account_number=view.account_number,
        pin=pin,
        actor=f"customer:zendesk-user:{author or 'unknown'}",
        method="reply",
        ttl_minutes=ctx.ttl_minutes,
        now=ctx.now(),
    )
    outcome = result.outcome
    attempts_left = outcome.attempts_left if isinstance(outcome, Rejected) else None
    return str(getattr(outcome, "kind", "failed")), attempts_left


def redact_effect(ctx: ZendeskContext, item: ClaimedItem) -> dict[str, Any] | None:
    """Effect ``zendesk.redact``: ``PUT /api/v2/comment_redactions/{id}`` around the digits.

    Every 4-8 digit group in the new part of the reply is redacted (the PIN is among them even
    when the reply was ambiguous). Once redacted they read ``▇``, so a retry finds nothing.
    """
    key, comment_id = str(item.payload["key"]), str(item.payload["comment_id"])
    ticket_id = ticket_id_of(key)
    gateway = ctx.gateway()
    comment = next((c for c in gateway.comments(ticket_id) if c.id == comment_id), None)
    secrets = digit_groups(comment.body) if comment else []
    if comment is None or not secrets:
        return {"redacted": 0}
    html_body = redaction_html(comment.html_body, comment.body, secrets)
    gateway.redact(ticket_id, comment_id, html_body=html_body)
    return {"redacted": len(secrets)}


def outcome_note_effect(ctx: ZendeskContext, item: ClaimedItem) -> dict[str, Any] | None:
    """Effect ``zendesk.outcome_note``: an internal note on a PIN reply that did not unlock."""
    key = str(item.payload["key"])
    ticket_id = ticket_id_of(key)
    ref = _ref(item.idempotency_key)
    gateway = ctx.gateway()
    if _posted(gateway.comments(ticket_id), ref):
        return {"skipped": "already posted"}
    body = outcome_note(
        str(item.payload["outcome"]), attempts_left=item.payload.get("attempts_left"), ref=ref
    )
    return {"note": gateway.add_comment(ticket_id, body=body, public=False)}
