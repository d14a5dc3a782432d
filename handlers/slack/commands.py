"""``/cpni``: status, verify, link, lock, unlock (supervisors), help.

Slack sends no thread with a slash command, so a command names its thread with a message link
(``More actions > Copy link``); without one it applies to the channel's most recently active
thread that cpni-guard knows, and the answer always says which thread that was.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from bot.errors import IllegalTransitionError
from bot.services import conversations
from bot.storage.records import Conversation
from handlers.slack import messages as m
from handlers.slack.keys import SlackThread, parse_key, thread_from_link
from handlers.slack.listeners import open_pin_modal
from handlers.slack.runtime import SlackRuntime

__all__ = ["CpniCommand", "parse_command", "register_command"]

log = logging.getLogger(__name__)

COMMAND = "/cpni"
_WORDS = ("status", "verify", "link", "lock", "unlock", "help")
_LINK_TOKEN = re.compile(r"<?https?://\S+>?")
_REASON = re.compile(r"--reason(?:=|\s+)(?P<reason>.+)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class CpniCommand:
    """A parsed ``/cpni`` command; ``problem`` is the answer when it cannot run."""

    word: str
    args: tuple[str, ...] = ()
    link: str | None = None
    reason: str | None = None
    problem: str | None = None


def parse_command(text: str) -> CpniCommand:
    """Parse the command text (pure)."""
    text = (text or "").strip()
    link_match = _LINK_TOKEN.search(text)
    link = link_match.group(0).strip("<>").split("|")[0] if link_match else None
    rest = _LINK_TOKEN.sub(" ", text).strip()
    reason_match = _REASON.search(rest)
    reason = reason_match["reason"].strip().strip("\"'") if reason_match else None
    rest = _REASON.sub(" ", rest).strip()
    words = rest.split()
    word = words[0].lower() if words else "help"
    args = tuple(words[1:])
    if word not in _WORDS:
        return CpniCommand(word, problem=m.CMD_UNKNOWN.format(word=word))
    if word == "link" and len(args) != 1:
        return CpniCommand(word, args, link, problem=m.CMD_LINK_USAGE)
    if word == "unlock" and not reason:
        return CpniCommand(word, args, link, problem=m.CMD_UNLOCK_USAGE)
    return CpniCommand(word, args, link, reason)


def _latest_thread(rt: SlackRuntime, team: str, channel: str) -> SlackThread | None:
    prefix = f"slack:{team}/{channel}/"
    with rt.container.database.transaction() as session:
        key = session.scalar(
            select(Conversation.key)
            .where(Conversation.key.startswith(prefix, autoescape=True))
            .order_by(Conversation.updated_at.desc(), Conversation.id.desc())
            .limit(1)
        )
    return parse_key(key) if key else None


def _status_text(view: conversations.ConversationView | None, thread: SlackThread) -> str:
    if view is None:
        return m.CMD_NO_THREAD
    account = f" · account {view.account_number}" if view.account_number else ""
    cats = ", ".join(m.category_label(c) for c in view.categories)
    until = f" · until {m.format_time(view.until)}" if view.until else ""
    link = f"https://slack.com/archives/{thread.channel}/p{thread.thread_ts.replace('.', '')}"
    return m.CMD_STATUS.format(
        link=link,
        ts=thread.thread_ts,
        state=view.state.value,
        account=account,
        categories=f" · CPNI: {cats}" if cats else "",
        until=until,
    )


def _run(rt: SlackRuntime, cmd: CpniCommand, thread: SlackThread, user: str) -> str:
    """Run a state-changing or reading subcommand in one transaction; the answer text."""
    actor, now, key = f"slack:{user}", rt.container.clock(), thread.key
    with rt.container.database.transaction() as session:
        try:
            if cmd.word == "link":
                view = conversations.link_account(
                    session,
                    key=key,
                    surface="slack",
                    account_number=cmd.args[0],
                    actor=actor,
                    now=now,
                )
                return m.CMD_LINKED.format(account=view.account_number)
            if cmd.word == "lock":
                conversations.lock(session, key=key, surface="slack", actor=actor, now=now)
                return m.CMD_LOCKED
            if cmd.word == "unlock":
                view = conversations.override(
                    session, key=key, actor=actor, reason=cmd.reason or "", now=now
                )
                return m.CMD_UNLOCKED.format(until=m.format_time(view.until))
            return _status_text(conversations.get_view(session, key), thread)
        except LookupError as exc:
            return f"{exc}."[:1].upper() + f"{exc}."[1:]
        except IllegalTransitionError:
            current = conversations.get_view(session, key)
            return m.CMD_CANNOT.format(state=current.state.value if current else "unknown")


async def _is_supervisor(rt: SlackRuntime, client: AsyncWebClient, team: str, user: str) -> bool:
    """Whether ``user`` is a supervisor; False when ``team`` cannot tell (fail closed)."""
    group = rt.settings.slack_supervisor_group
    if not group:
        return False
    members = rt.cached_supervisors(team)
    if members is None:
        try:
            answer = await client.usergroups_users_list(usergroup=group)
        except SlackApiError as exc:  # e.g. no_such_subteam: the group is another workspace's
            log.info("supervisor group lookup failed", extra={"error": exc.response.get("error")})
            return False
        members = frozenset(answer.get("users") or [])
        rt.remember_supervisors(team, members)
    return user in members


async def handle_command(
    rt: SlackRuntime, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient
) -> None:
    """Answer one ``/cpni`` command (ephemeral, to its author only)."""
    cmd = parse_command(str(body.get("text") or ""))
    if cmd.problem or cmd.word == "help":
        await ack(text=cmd.problem or m.COMMAND_HELP)
        return
    team, user = str(body.get("team_id") or ""), str(body.get("user_id") or "")
    thread = thread_from_link(cmd.link or "", team=team) or await rt.run(
        _latest_thread, rt, team, str(body.get("channel_id") or "")
    )
    if thread is None:
        await ack(text=m.CMD_NO_THREAD)
        return
    if cmd.word == "verify":
        await open_pin_modal(
            rt,
            client,
            trigger_id=str(body["trigger_id"]),
            key=thread.key,
            user=user,
            account=cmd.args[0] if cmd.args else None,
        )
        await ack(text=m.CMD_VERIFY_OPENED)
        return
    if cmd.word == "unlock":
        if not rt.settings.slack_supervisor_group:
            await ack(text=m.CMD_NO_SUPERVISOR_GROUP)
            return
        if not await _is_supervisor(rt, client, team, user):
            await ack(text=m.CMD_NOT_SUPERVISOR)
            return
    await ack(text=await rt.run(_run, rt, cmd, thread, user))


def register_command(app: AsyncApp, rt: SlackRuntime) -> None:
    """Attach ``/cpni`` to ``app``."""

    @app.command(COMMAND)
    async def cpni(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await handle_command(rt, ack, body, client)
