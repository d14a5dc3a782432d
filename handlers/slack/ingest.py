"""Inbound events: committed to the inbox before the ack, then screened by the worker.

The acknowledgement path (a bolt middleware) turns an ``event_callback`` into a small record
(ids, author and the message text, nothing else), and commits it to the inbox under Slack's
``event_id`` *before* bolt answers, so a redelivered event (``X-Slack-Retry-Num``) is dropped and
an accepted one is never lost. A message that arrives both as ``app_mention`` and as
``message`` is taken once, on ``(team, channel, ts)``.

The worker screens each message as it arrives (incremental screening) rather than fetching the
thread with ``conversations.replies``: that method is rate limited to about one call a minute
for commercially distributed apps (platform-notes.md A9), and a Web API call inside the inbox
transaction would hold SQLite's single writer while acks wait. The core keeps the thread's
state (categories, explanations, account, lock) on the conversation row, so each message is
judged against everything seen before without any message text being stored: the text lives in
the inbox row only until it is processed (the worker clears the payload when done).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.services import conversations
from bot.storage.slack import SlackMessageReceipt
from bot.worker import ClaimedItem, enqueue_effect, enqueue_inbound
from handlers.slack.keys import SlackThread
from handlers.slack.runtime import SlackRuntime

__all__ = [
    "RECEIPT_TTL",
    "EventRecord",
    "accept",
    "handle_inbound",
    "purge_receipts",
    "to_record",
]

SOURCE = "slack"
#: How long a message receipt is kept. The double delivery it guards against (app_mention +
#: message) and Slack's redeliveries (three retries within about an hour) both come long before.
RECEIPT_TTL = timedelta(days=1)
#: Message subtypes that carry a new message to screen (platform-notes.md A5).
_NEW_MESSAGE_SUBTYPES = frozenset(
    {None, "thread_broadcast", "file_share", "bot_message", "me_message"}
)

EventRecord = tuple[str, dict[str, Any], str | None]


def _message_fields(team: str, channel: str, msg: dict[str, Any]) -> dict[str, Any]:
    ts = str(msg.get("ts") or "")
    return {
        "team": team,
        "channel": channel,
        "ts": ts,
        "thread_ts": str(msg.get("thread_ts") or ts),
        "user": msg.get("user"),
        "bot_id": msg.get("bot_id"),
        "user_team": msg.get("user_team") or msg.get("source_team"),
        "text": str(msg.get("text") or ""),
    }


def to_record(  # noqa: PLR0911 (one early return per event shape reads best)
    body: dict[str, Any], *, bot_user_id: str | None, bot_id: str | None
) -> EventRecord | None:
    """The inbox record of an ``event_callback``: (kind, payload, dedupe ts), or None to drop.

    Dropped: the bot's own messages and edits (its note rewrites), and message subtypes that
    carry nothing to screen (joins, topic changes).
    """
    event = body.get("event") or {}
    team = str(body.get("team_id") or event.get("team") or "")
    kind = str(event.get("type") or "")
    if kind == "app_home_opened":
        if event.get("tab", "home") != "home":
            return None
        return kind, {"team": team, "user": event.get("user")}, None
    if kind not in ("message", "app_mention"):
        return None
    channel = str(event.get("channel") or "")
    subtype = event.get("subtype")
    if subtype == "message_changed":
        msg = event.get("message") or {}
        if _is_self(msg, bot_user_id=bot_user_id, bot_id=bot_id):
            return None
        return "message", {**_message_fields(team, channel, msg), "edited": True}, None
    if subtype == "message_deleted":
        previous = event.get("previous_message") or {}
        deleted = str(event.get("deleted_ts") or previous.get("ts") or "")
        thread = str(previous.get("thread_ts") or deleted)
        payload = {"team": team, "channel": channel, "deleted_ts": deleted, "thread_ts": thread}
        return "message_deleted", payload, None
    if subtype not in _NEW_MESSAGE_SUBTYPES or _is_self(
        event, bot_user_id=bot_user_id, bot_id=bot_id
    ):
        return None
    fields = _message_fields(team, channel, event)
    return "message", fields, fields["ts"]


def _is_self(msg: dict[str, Any], *, bot_user_id: str | None, bot_id: str | None) -> bool:
    return bool(
        (bot_id and msg.get("bot_id") == bot_id) or (bot_user_id and msg.get("user") == bot_user_id)
    )


def accept(rt: SlackRuntime, record: EventRecord, *, event_id: str) -> bool:
    """Commit ``record`` to the inbox; False for a redelivery or a double delivery."""
    kind, payload, dedupe_ts = record
    with rt.container.database.transaction() as session:
        now = rt.container.clock()
        if dedupe_ts:
            dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
            stmt = (
                dialect.insert(SlackMessageReceipt)
                .values(
                    team_id=payload["team"],
                    channel=payload["channel"],
                    ts=dedupe_ts,
                    received_at=now,
                )
                .on_conflict_do_nothing()
                .returning(SlackMessageReceipt.ts)
            )
            if session.execute(stmt).scalar() is None:
                return False
        return enqueue_inbound(
            session, source=SOURCE, external_id=event_id, kind=kind, payload=payload, now=now
        )


def purge_receipts(session: Session, now: datetime) -> int:
    """Delete message receipts older than :data:`RECEIPT_TTL` (a periodic worker job).

    Returns:
        How many receipts were deleted.
    """
    result = session.execute(
        delete(SlackMessageReceipt).where(SlackMessageReceipt.received_at < now - RECEIPT_TTL)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _role(payload: dict[str, Any]) -> str:
    if payload.get("bot_id"):
        return "system"
    other_team = payload.get("user_team")
    if other_team and other_team != payload.get("team"):
        return "customer"  # a Slack Connect guest from another organisation
    return "agent"


def handle_inbound(rt: SlackRuntime, session: Session, item: ClaimedItem) -> None:
    """The worker's handler for ``slack`` inbox items (runs in the item's transaction)."""
    payload = item.payload
    now = rt.container.clock()
    if item.kind == "app_home_opened":
        if payload.get("user"):
            enqueue_effect(
                session,
                key=f"slack:home:{payload['team']}:{payload['user']}:{item.external_id}",
                kind="slack.publish_home",
                payload={"team": payload["team"], "user": payload["user"]},
                now=now,
            )
        return
    thread = SlackThread(payload["team"], payload["channel"], payload["thread_ts"])
    if item.kind == "message_deleted":
        _on_deleted(session, thread, deleted_ts=payload["deleted_ts"], item=item, now=now)
        return
    if not payload.get("text", "").strip():
        return
    user = payload.get("user")
    outcome = conversations.screen(
        session,
        key=thread.key,
        surface="slack",
        messages=[
            conversations.Message(
                message_id=payload["ts"],
                text=payload["text"],
                author_role=_role(payload),
                author_id=f"slack:{user}" if user else None,
                channel="slack",
            )
        ],
        new_message_ids={payload["ts"]},
        actor=f"slack:{user}" if user else "system",
        now=now,
        detector=rt.container.detector,
    )
    notices = [("disclosed", m) for m in outcome.disclosed_while_locked]
    notices += [("pin_in_clear", m) for m in outcome.pin_in_clear]
    for notice, _message_id in notices:
        if user:
            enqueue_effect(
                session,
                key=f"{thread.key}:notice:{notice}:{item.external_id}",
                kind="slack.post_ephemeral",
                payload={"key": thread.key, "user": user, "notice": notice},
                now=now,
            )


def _on_deleted(
    session: Session, thread: SlackThread, *, deleted_ts: str, item: ClaimedItem, now: Any
) -> None:
    """Someone deleted the sticky note: forget it and post it again (the lock stays)."""
    view = conversations.get_view(session, thread.key)
    if view is None or view.note_ref != deleted_ts:
        return  # a deleted message's CPNI was seen already; the lock and audit stay as they are
    conversations.set_note_ref(session, key=thread.key, note_ref="")
    enqueue_effect(
        session,
        key=f"{thread.key}:repost:{item.external_id}",
        kind="slack.sync_note",
        payload={"key": thread.key},
        now=now,
    )
