"""Thin bolt listeners: buttons, the PIN modal, and no-op acks for every subscribed event.

Events were committed to the inbox by the ingest middleware before any listener runs; their
listeners only exist so that nothing is answered 404 (platform-notes.md A4). *Verify PIN* opens
the modal straight away in the ack path, inside the trigger's 3 s (A6). The modal's submission
verifies inside its ack, because inline errors can only be returned there (A1); the check runs
in the bounded PIN pool, never on the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.verification import (
    LockedOut,
    NewPinRequired,
    NoPinOnFile,
    Rejected,
    UnknownAccount,
    Verified,
)
from bot.errors import IllegalTransitionError
from bot.services import challenges, conversations, pin_gate
from handlers.slack import blocks
from handlers.slack import messages as m
from handlers.slack.keys import parse_key
from handlers.slack.runtime import SlackRuntime

__all__ = ["register_listeners"]

log = logging.getLogger(__name__)
#: Event types the manifest subscribes to (message.channels/.groups arrive as "message").
EVENT_TYPES = ("message", "app_mention", "app_home_opened")
#: Seconds a modal submission waits for its PIN check before acknowledging with a "checking"
#: view instead; Slack drops an ack after 3 s, and argon2 under load can take longer.
FAST_ACK_SECONDS = 1.5


def _view(rt: SlackRuntime, key: str) -> conversations.ConversationView | None:
    with rt.container.database.transaction() as session:
        return conversations.get_view(session, key)


def _start_challenge(rt: SlackRuntime, key: str, actor: str) -> None:
    with rt.container.database.transaction() as session:
        try:
            conversations.start_challenge(
                session, key=key, actor=actor, method="agent", now=rt.container.clock()
            )
        except (IllegalTransitionError, LookupError):
            return  # not locked (or unknown): the modal still works, the lock does not move


async def open_pin_modal(
    rt: SlackRuntime,
    client: AsyncWebClient,
    *,
    trigger_id: str,
    key: str,
    user: str,
    account: str | None = None,
) -> None:
    """Open the modal first (the trigger expires after 3 s), then mark the thread challenged."""
    view = await rt.run(_view, rt, key)
    prefill = account or (view.account_number if view else None)
    await client.views_open(
        trigger_id=trigger_id, view=blocks.pin_modal(key, account_number=prefill)
    )
    await rt.run(_start_challenge, rt, key, f"slack:{user}")


def _issue_link(rt: SlackRuntime, key: str, actor: str) -> tuple[str, str, datetime] | None:
    ttl = rt.container.config.policy.verification.link_ttl_minutes
    with rt.container.database.transaction() as session:
        view = conversations.get_view(session, key)
        try:
            issued = challenges.create_link(
                session,
                key=key,
                account_number=view.account_number if view else None,
                created_by=actor,
                now=rt.container.clock(),
                ttl_minutes=ttl,
            )
        except LookupError:
            return None
        number = conversations.get_view(session, key)
    account = number.account_number if number and number.account_number else "?"
    url = rt.settings.public_url.rstrip("/") + issued.path
    return url, account, issued.expires_at


def _verify(rt: SlackRuntime, *, key: str, account: str, pin: str, user: str) -> Any:
    return pin_gate.submit_pin(
        rt.container.database,
        rt.pin_verifier(),
        key=key,
        account_number=account,
        pin=pin,
        actor=f"slack:{user}",
        method="agent",
        ttl_minutes=rt.container.config.policy.verification.ttl_minutes,
        now=rt.container.clock(),
    )


async def submit_pin_modal(
    rt: SlackRuntime, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient
) -> None:
    """Verify the typed PIN; errors stay in the modal, anything else closes it."""
    view = body.get("view") or {}
    key = str(view.get("private_metadata") or "")
    user = str((body.get("user") or {}).get("id") or "")
    account, pin = blocks.submitted_values(view)
    try:
        parse_key(key)
    except ValueError:
        await ack(response_action="errors", errors={blocks.ACCOUNT_BLOCK: m.ERROR_UNKNOWN_THREAD})
        return
    if not account or not pin:
        errors = {}
        if not account:
            errors[blocks.ACCOUNT_BLOCK] = m.ERROR_ACCOUNT_MISSING
        if not pin:
            errors[blocks.PIN_BLOCK] = m.ERROR_PIN_MISSING
        await ack(response_action="errors", errors=errors)
        return
    pending = asyncio.ensure_future(
        rt.run_pin(_verify, rt, key=key, account=account, pin=pin, user=user)
    )
    try:
        result = await asyncio.wait_for(asyncio.shield(pending), timeout=FAST_ACK_SECONDS)
    except TimeoutError:
        # Answer now; the check completes (and is audited) and the modal is updated after.
        await ack(response_action="update", view=blocks.result_modal(key, m.MODAL_CHECKING))
        view_id = str(view.get("id") or "")
        task = asyncio.ensure_future(_finish_later(client, pending, view_id, key, account))
        _BACKGROUND.add(task)
        task.add_done_callback(_BACKGROUND.discard)
        return
    except Exception as exc:  # fail closed: the thread stays locked (DESIGN.md section 3)
        log.warning("PIN verification failed to complete", extra={"error": type(exc).__name__})
        await ack(response_action="errors", errors={blocks.PIN_BLOCK: m.ERROR_UNAVAILABLE})
        return
    outcome = result.outcome
    if isinstance(outcome, LockedOut | Verified):
        await ack(response_action="clear")  # the note is rewritten through the outbox
        return
    block, text = _error_for(outcome)
    await ack(response_action="errors", errors={block: text})


_BACKGROUND: set[asyncio.Future[None]] = set()


def _error_for(outcome: object) -> tuple[str, str]:
    if isinstance(outcome, Rejected):
        return blocks.PIN_BLOCK, m.error_wrong_pin(outcome.attempts_left)
    if isinstance(outcome, UnknownAccount):
        return blocks.ACCOUNT_BLOCK, m.ERROR_UNKNOWN_ACCOUNT
    if isinstance(outcome, NoPinOnFile):
        return blocks.ACCOUNT_BLOCK, m.ERROR_NO_PIN
    if isinstance(outcome, NewPinRequired):
        return blocks.PIN_BLOCK, m.ERROR_NEW_PIN_REQUIRED
    return blocks.PIN_BLOCK, m.ERROR_UNAVAILABLE


async def _finish_later(
    client: AsyncWebClient, pending: asyncio.Future[Any], view_id: str, key: str, account: str
) -> None:
    """Show a slow check's outcome in the modal that was acknowledged as "checking"."""
    try:
        result = await pending
    except Exception as exc:  # fail closed, and say so
        log.warning("PIN verification failed to complete", extra={"error": type(exc).__name__})
        new_view = blocks.pin_modal(key, account_number=account, error=m.ERROR_UNAVAILABLE)
    else:
        outcome = result.outcome
        if isinstance(outcome, Verified):
            text = m.MODAL_VERIFIED.format(account=account, until=m.format_time(result.view.until))
            new_view = blocks.result_modal(key, text)
        elif isinstance(outcome, LockedOut):
            new_view = blocks.result_modal(key, m.MODAL_LOCKED_OUT)
        else:
            new_view = blocks.pin_modal(key, account_number=account, error=_error_for(outcome)[1])
    try:
        await client.views_update(view_id=view_id, view=new_view)
    except Exception as exc:  # the agent closed the modal; the note still shows the outcome
        log.info("could not update the PIN modal", extra={"error": type(exc).__name__})


def register_listeners(app: AsyncApp, rt: SlackRuntime) -> None:
    """Attach every listener to ``app``."""

    async def event_ack() -> None:
        """Committed to the inbox by the middleware already; nothing left to do here."""

    for event_type in EVENT_TYPES:
        app.event(event_type)(event_ack)

    @app.action(blocks.ACTION_VERIFY)
    async def verify_clicked(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        key = str(body["actions"][0].get("value") or "")
        await open_pin_modal(
            rt, client, trigger_id=body["trigger_id"], key=key, user=body["user"]["id"]
        )
        await ack()

    @app.action(blocks.ACTION_LINK)
    async def link_clicked(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        key = str(body["actions"][0].get("value") or "")
        thread, user = parse_key(key), body["user"]["id"]
        issued = await rt.run(_issue_link, rt, key, f"slack:{user}")
        if issued is None:
            text = m.LINK_NEEDS_ACCOUNT
        else:
            url, account, until = issued
            text = m.LINK_POSTED.format(account=account, until=m.format_time(until), url=url)
        # Posted straight away, never through the outbox: the link must not rest in a queue row.
        await client.chat_postEphemeral(
            channel=thread.channel, user=user, thread_ts=thread.thread_ts, text=text
        )

    @app.action(blocks.ACTION_WHY)
    async def why_clicked(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        key = str(body["actions"][0].get("value") or "")
        thread = parse_key(key)
        view = await rt.run(_view, rt, key)
        await client.chat_postEphemeral(
            channel=thread.channel,
            user=body["user"]["id"],
            thread_ts=thread.thread_ts,
            text=blocks.why_text(view),
        )

    @app.view(blocks.MODAL_CALLBACK)
    async def modal_submitted(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await submit_pin_modal(rt, ack, body, client)
