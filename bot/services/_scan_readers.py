"""Readers for the inputs of ``cpni-guard scan``: JSON Lines, CSV, Zendesk and Slack exports.

Each reader yields :class:`ScanRow` items (one message) and :class:`ScanProblem` items (a
malformed or unreadable part, with its location) in file order, and never stops at a bad
row. Message text is passed on to the detector and never logged.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ScanProblem", "ScanRow", "read_csv", "read_jsonl", "read_slack", "read_zendesk"]


@dataclass(frozen=True, slots=True)
class ScanRow:
    """One message read from an input.

    Attributes:
        conversation: the conversation key (the thread value, or the row id).
        text: the message text.
        author_role: ``customer``, ``agent`` or ``system`` (unknown values count as customer).
        channel: the channel, if given (``email`` bodies are cleaned before scanning).
        location: ``file:line`` (or ``file``) of the row, for problem reports.
    """

    conversation: str
    text: str
    author_role: str
    channel: str | None
    location: str


@dataclass(frozen=True, slots=True)
class ScanProblem:
    """A part of the input that could not be read; the scan goes on without it.

    Attributes:
        location: ``file:line`` or ``file`` of the problem.
        message: what was wrong (never the row's text).
    """

    location: str
    message: str


ScanItem = ScanRow | ScanProblem


def _row(fields: dict[str, Any], location: str) -> ScanItem:
    row_id, text = fields.get("id"), fields.get("text")
    if row_id in (None, "") or not isinstance(row_id, str | int):
        return ScanProblem(location, "missing or invalid 'id'")
    if not isinstance(text, str) or not text.strip():
        return ScanProblem(location, "missing, empty or invalid 'text'")
    thread = fields.get("thread")
    role = fields.get("author_role") or "customer"
    channel = fields.get("channel") or None
    return ScanRow(
        conversation=str(thread) if thread not in (None, "") else str(row_id),
        text=text,
        author_role=str(role),
        channel=str(channel) if channel is not None else None,
        location=location,
    )


def read_jsonl(path: Path) -> Iterator[ScanItem]:
    """Read messages from a JSON Lines file.

    Args:
        path: the file; one JSON object per line with ``id`` and ``text``.

    Yields:
        Rows and problems in file order.
    """
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            location = f"{path}:{number}"
            try:
                fields = json.loads(line)
            except json.JSONDecodeError as exc:
                yield ScanProblem(location, f"invalid JSON: {exc.msg}")
                continue
            if not isinstance(fields, dict):
                yield ScanProblem(location, "expected a JSON object")
                continue
            yield _row(fields, location)


def read_csv(path: Path) -> Iterator[ScanItem]:
    """Read messages from a CSV file with a header row.

    Args:
        path: the file; columns ``id``, ``text`` and optionally ``thread``, ``author_role``,
            ``channel``.

    Yields:
        Rows and problems in file order.
    """
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or not {"id", "text"} <= set(reader.fieldnames):
            yield ScanProblem(f"{path}:1", "CSV header must name 'id' and 'text'")
            return
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield ScanProblem(f"{path}:{reader.line_num}", f"invalid CSV: {exc}")
                continue
            yield _row(dict(record), f"{path}:{reader.line_num}")


def _zendesk_role(comment: dict[str, Any], requester: Any) -> str:
    author = comment.get("author_id")
    if author is not None and author == requester:
        return "customer"
    role = comment.get("author_role") or comment.get("role")
    return str(role) if role in ("customer", "agent", "system") else "agent"


def read_zendesk(path: Path) -> Iterator[ScanItem]:
    """Read a Zendesk ticket export: ``{"tickets": [{"id", "comments": [...]}]}``.

    A comment by the ticket's requester is the customer's; other authors are agents. A
    comment received by e-mail (``via.channel == "email"``) is cleaned before scanning.

    Args:
        path: the JSON export (an object with ``tickets``, or a list of tickets).

    Yields:
        Rows and problems in ticket and comment order.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8", errors="replace"))
    except json.JSONDecodeError as exc:
        yield ScanProblem(f"{path}:{exc.lineno}", f"invalid JSON: {exc.msg}")
        return
    tickets = data.get("tickets") if isinstance(data, dict) else data
    if not isinstance(tickets, list):
        yield ScanProblem(str(path), "expected a 'tickets' list")
        return
    for t_index, ticket in enumerate(tickets):
        where = f"{path}:tickets[{t_index}]"
        if not isinstance(ticket, dict) or "id" not in ticket:
            yield ScanProblem(where, "ticket without an 'id'")
            continue
        for c_index, comment in enumerate(ticket.get("comments") or []):
            body = (
                comment.get("plain_body", comment.get("body"))
                if isinstance(comment, dict)
                else None
            )
            if not isinstance(body, str):
                yield ScanProblem(f"{where}.comments[{c_index}]", "comment without a text body")
                continue
            via = comment.get("via") or {}
            yield ScanRow(
                conversation=f"zendesk:{ticket['id']}",
                text=body,
                author_role=_zendesk_role(comment, ticket.get("requester_id")),
                channel="email"
                if isinstance(via, dict) and via.get("channel") == "email"
                else "zendesk",
                location=f"{where}.comments[{c_index}]",
            )


def read_slack(folder: Path) -> Iterator[ScanItem]:
    """Read a Slack export folder: one directory per channel of ``YYYY-MM-DD.json`` files.

    Messages are grouped by ``thread_ts`` (a message without one starts its own thread). A
    message from a bot or with a ``subtype`` such as ``channel_join`` is a system message.

    Args:
        folder: the export's root folder.

    Yields:
        Rows and problems in channel, day and message order.
    """
    for channel_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        for day in sorted(channel_dir.glob("*.json")):
            try:
                messages = json.loads(day.read_text(encoding="utf-8", errors="replace"))
            except (OSError, json.JSONDecodeError) as exc:
                yield ScanProblem(str(day), f"unreadable day file: {exc}")
                continue
            if not isinstance(messages, list):
                yield ScanProblem(str(day), "expected a list of messages")
                continue
            yield from _slack_day(channel_dir.name, day, messages)


def _slack_day(channel: str, day: Path, messages: list[Any]) -> Iterator[ScanItem]:
    for index, msg in enumerate(messages):
        where = f"{day}[{index}]"
        if not isinstance(msg, dict) or not isinstance(msg.get("text"), str) or "ts" not in msg:
            yield ScanProblem(where, "message without 'ts' or 'text'")
            continue
        system = bool(msg.get("subtype")) or "bot_id" in msg
        yield ScanRow(
            conversation=f"slack:{channel}/{msg.get('thread_ts') or msg['ts']}",
            text=msg["text"],
            author_role="system" if system else "agent",
            channel="slack",
            location=where,
        )
