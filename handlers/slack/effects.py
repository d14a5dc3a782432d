"""Outbox handlers: the sticky note, pins, ephemeral notices and the App Home.

Each runs in the worker outside any transaction and is safe to retry. The note handler renders
the conversation's *current* view, so effects that run late or out of order converge on the
newest state. Posting is guarded against duplicates: before ``chat.postMessage`` the handler
claims the note with a ``pending:`` marker; a definite refusal (429, an ``ok: false``) clears
it, while an ambiguous failure (5xx, network) leaves it, and the retry then looks for a note
already posted (message metadata ``cpni_guard_note`` with the conversation key) before it posts.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, update

from bot.errors import RetryLaterError
from bot.services import conversations
from bot.storage.records import Conversation
from bot.worker import ClaimedItem, enqueue_effect
from handlers.slack import blocks, messages
from handlers.slack.gateway import SlackCallError
from handlers.slack.keys import SlackThread, parse_key
from handlers.slack.runtime import SlackRuntime

__all__ = ["is_supervisor", "pin_note", "post_ephemeral", "publish_home", "sync_note"]

log = logging.getLogger(__name__)

_PENDING = "pending:"
_STALE_CLAIM = timedelta(seconds=60)


def _view(rt: SlackRuntime, key: str) -> conversations.ConversationView | None:
    with rt.container.database.transaction() as session:
        return conversations.get_view(session, key)


def _set_ref(rt: SlackRuntime, key: str, ref: str, *, pin: bool = False) -> None:
    with rt.container.database.transaction() as session:
        conversations.set_note_ref(session, key=key, note_ref=ref)
        if pin:
            enqueue_effect(
                session,
                key=f"{key}:pin:{ref}",
                kind="slack.pin",
                payload={"key": key},
                now=rt.container.clock(),
            )


def _claim(rt: SlackRuntime, key: str, item: ClaimedItem) -> str | None:
    """Claim the right to post; returns the existing note ts (or None when we may post)."""
    now = rt.container.clock()
    ref = _current_ref(rt, key)
    if ref and not ref.startswith(_PENDING):
        return ref
    if ref:  # an earlier attempt was interrupted, or another worker is posting right now
        owner, _, since = ref[len(_PENDING) :].partition(":")
        if owner != str(item.id) and now - datetime.fromisoformat(since) < _STALE_CLAIM:
            raise RetryLaterError("another worker is posting this note", retry_after=5)
        found = _find_posted(rt, parse_key(key), key)  # outside any transaction
        if found:
            _set_ref(rt, key, found)
            return found
    marker = f"{_PENDING}{item.id}:{now.isoformat()}"
    same = (
        Conversation.note_ref == ref
        if ref
        else or_(Conversation.note_ref.is_(None), Conversation.note_ref == "")
    )
    with rt.container.database.transaction() as session:  # compare-and-set, atomic
        claimed = session.execute(
            update(Conversation).where(Conversation.key == key, same).values(note_ref=marker)
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]
            raise RetryLaterError("the sticky note changed hands", retry_after=1)
    return None


def _current_ref(rt: SlackRuntime, key: str) -> str | None:
    view = _view(rt, key)
    return view.note_ref if view else None


def _find_posted(rt: SlackRuntime, thread: SlackThread, key: str) -> str | None:
    """The ts of a note an interrupted attempt may have posted (by its metadata)."""
    answer = rt.gateway.call(
        thread.team,
        "conversations.replies",
        channel=thread.channel,
        ts=thread.thread_ts,
        include_all_metadata="true",
        limit=200,
    )
    for msg in answer.get("messages") or []:
        meta = msg.get("metadata") or {}
        if meta.get("event_type") == blocks.NOTE_EVENT_TYPE and (
            (meta.get("event_payload") or {}).get("key") == key
        ):
            return str(msg["ts"])
    return None


def sync_note(rt: SlackRuntime, item: ClaimedItem) -> dict[str, Any] | None:
    """Post the thread's sticky note, or rewrite it with ``chat.update`` (``slack.sync_note``)."""
    key = str(item.payload["key"])
    thread = parse_key(key)
    view = _view(rt, key)
    if view is None or (not view.categories and not view.is_locked and not view.note_ref):
        return {"skipped": "nothing to show"}
    ref = _claim(rt, key, item)
    if ref is None:
        return _post(rt, thread, key)
    for _ in range(3):  # re-render if the state moved on while we were updating
        shown = _view(rt, key)
        assert shown is not None
        try:
            rt.gateway.call(
                thread.team, "chat.update", channel=thread.channel, ts=ref, **_note_fields(shown)
            )
        except SlackCallError as exc:
            if exc.error != "message_not_found":
                raise
            _set_ref(rt, key, "")  # the note was deleted: post a new one next time
            raise RetryLaterError("sticky note vanished; posting again", retry_after=0) from exc
        latest = _view(rt, key)
        if latest is None or latest.version == shown.version:
            return {"updated": ref, "version": shown.version}
    return {"updated": ref}


def _note_fields(view: conversations.ConversationView) -> dict[str, Any]:
    note = blocks.note_message(view)
    return {"text": note["text"], "blocks": note["blocks"], "metadata": note["metadata"]}


def _post(rt: SlackRuntime, thread: SlackThread, key: str) -> dict[str, Any]:
    view = _view(rt, key)
    assert view is not None
    try:
        answer = rt.gateway.call(
            thread.team,
            "chat.postMessage",
            channel=thread.channel,
            thread_ts=thread.thread_ts,
            unfurl_links=False,
            **_note_fields(view),
        )
    except RetryLaterError as exc:
        if exc.retry_after is not None:  # a 429: Slack refused, nothing was posted
            _set_ref(rt, key, "")
        raise
    except SlackCallError:
        _set_ref(rt, key, "")
        raise
    ts = str(answer["ts"])
    _set_ref(rt, key, ts, pin=rt.settings.slack_pin_notes)
    return {"posted": ts, "version": view.version}


def pin_note(rt: SlackRuntime, item: ClaimedItem) -> dict[str, Any] | None:
    """Pin the sticky note to the channel (``slack.pin``; ``CPNI_SLACK_PIN_NOTES``)."""
    key = str(item.payload["key"])
    thread = parse_key(key)
    view = _view(rt, key)
    if view is None or not view.note_ref or view.note_ref.startswith(_PENDING):
        raise RetryLaterError("no sticky note to pin yet", retry_after=5)
    try:
        rt.gateway.call(thread.team, "pins.add", channel=thread.channel, timestamp=view.note_ref)
    except SlackCallError as exc:
        if exc.error in ("already_pinned", "too_many_pins", "not_pinnable"):
            return {"skipped": exc.error}
        raise
    return {"pinned": view.note_ref}


def post_ephemeral(rt: SlackRuntime, item: ClaimedItem) -> dict[str, Any] | None:
    """Warn one user in the thread (``slack.post_ephemeral``); text from the messages module."""
    thread = parse_key(str(item.payload["key"]))
    text = messages.NOTICES[str(item.payload["notice"])]
    try:
        rt.gateway.call(
            thread.team,
            "chat.postEphemeral",
            channel=thread.channel,
            user=str(item.payload["user"]),
            thread_ts=thread.thread_ts,
            text=text,
        )
    except SlackCallError as exc:
        if exc.error in ("user_not_in_channel", "channel_not_found", "is_archived"):
            return {"skipped": exc.error}
        raise
    return {"sent": True}


def is_supervisor(rt: SlackRuntime, team: str, user: str) -> bool:
    """Whether ``user`` is in the supervisor user group (cached a minute per workspace).

    False when the group is not configured or ``team`` cannot resolve it (a workspace of a
    multi-workspace install where the group does not exist): the supervisor view fails closed.
    """
    group = rt.settings.slack_supervisor_group
    if not group:
        return False
    members = rt.cached_supervisors(team)
    if members is None:
        try:
            answer = rt.gateway.call(team, "usergroups.users.list", usergroup=group)
        except SlackCallError as exc:
            log.info("supervisor group lookup failed", extra={"error": exc.error})
            return False
        members = frozenset(answer.get("users") or [])
        rt.remember_supervisors(team, members)
    return user in members


def publish_home(rt: SlackRuntime, item: ClaimedItem) -> dict[str, Any] | None:
    """Render the App Home for one user (``slack.publish_home``).

    Everyone sees the PIN checks they recorded; supervisors also see the accounts locked out
    now (``conversations.locked_out_accounts``).
    """
    team, user = str(item.payload["team"]), str(item.payload["user"])
    supervisor = is_supervisor(rt, team, user)
    with rt.container.database.transaction() as session:
        recent = conversations.recent_for_actor(session, actor=f"slack:{user}", limit=10)
        locked = (
            conversations.locked_out_accounts(session, now=rt.container.clock())
            if supervisor
            else None
        )
    rt.gateway.call(
        team, "views.publish", user_id=user, view=blocks.home_view(recent, locked_out=locked)
    )
    return {"published": user, "supervisor": supervisor}
