"""Conversation keys of Slack threads: ``slack:<team>/<channel>/<thread_ts>``."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["SlackThread", "parse_key", "thread_from_link"]

_KEY = re.compile(r"slack:(?P<team>[A-Z0-9]+)/(?P<channel>[A-Z0-9]+)/(?P<ts>\d+\.\d+)")
_LINK = re.compile(
    r"archives/(?P<channel>[A-Z0-9]+)/p(?P<sec>\d{10})(?P<frac>\d{6})"
    r"(?:\?[^>\s|]*?thread_ts=(?P<thread>\d+\.\d+))?"
)


@dataclass(frozen=True, slots=True)
class SlackThread:
    """Where a thread lives; ``thread_ts`` is the parent message's ``ts``."""

    team: str
    channel: str
    thread_ts: str

    @property
    def key(self) -> str:
        """The conversation key the core stores."""
        return f"slack:{self.team}/{self.channel}/{self.thread_ts}"


def parse_key(key: str) -> SlackThread:
    """The thread a conversation key names.

    Raises:
        ValueError: ``key`` is not a Slack conversation key.
    """
    match = _KEY.fullmatch(key)
    if match is None:
        raise ValueError("not a Slack conversation key")
    return SlackThread(match["team"], match["channel"], match["ts"])


def thread_from_link(text: str, *, team: str) -> SlackThread | None:
    """The thread a message link (``.../archives/C1/p1700000000000100``) points at, if any."""
    match = _LINK.search(text)
    if match is None:
        return None
    ts = match["thread"] or f"{match['sec']}.{match['frac']}"
    return SlackThread(team, match["channel"], ts)
