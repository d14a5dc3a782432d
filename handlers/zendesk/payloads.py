"""Translate Zendesk webhook payloads into one normalised, typed event.

Two shapes are accepted:

* **Event subscriptions** (``zen:event-type:ticket.*``): ids are strings, status is upper case,
  ``detail.via.channel`` uses via *type* names (``mail`` for email), and the comment body is
  inside ``event.comment`` (platform-notes B1).
* **Trigger webhooks** using the template documented in the README
  (``"type": "cpni-guard:trigger"``): only the ticket id and a de-duplication id; the worker
  fetches the comments through the API.

Parsing never raises on odd values: a payload that cannot be understood is a
:class:`PayloadError` with a message that names no content.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = [
    "EMAIL_CHANNELS",
    "HANDLED_EVENTS",
    "IGNORED_EVENTS",
    "TRIGGER_TYPE",
    "CommentData",
    "PayloadError",
    "TicketEvent",
    "parse_payload",
]

_PREFIX = "zen:event-type:"
TRIGGER_TYPE = "cpni-guard:trigger"
#: Events that can change what the bot must do on a ticket.
HANDLED_EVENTS = frozenset(
    {"ticket.created", "ticket.comment_added", "ticket.status_changed", "ticket.requester_changed"}
)
#: Ticket events a subscription may deliver that need no action (answered 200, not stored).
IGNORED_EVENTS = frozenset(
    {
        "ticket.comment_made_private",
        "ticket.comment_redacted",
        "ticket.tags_changed",
        "ticket.custom_field_changed",
        "ticket.attachment_linked_to_comment",
        "ticket.agent_assignment_changed",
        "ticket.group_assignment_changed",
        "ticket.priority_changed",
        "ticket.subject_changed",
    }
)
#: ``via.channel`` values meaning email: REST uses ``email``, events use the via type ``mail``.
EMAIL_CHANNELS = frozenset({"email", "mail", "4"})


class PayloadError(ValueError):
    """The payload is not a ticket event we understand (message names no content)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CommentData:
    """A comment carried by the event (its body stays in the inbox until processed)."""

    id: str
    body: str
    public: bool
    author_id: str | None
    author_is_staff: bool | None


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketEvent:
    """One ticket event, whatever shape it arrived in."""

    event_id: str
    kind: str  # "ticket.created", "ticket.comment_added", ... or "trigger"
    ticket_id: str
    channel: str | None
    requester_id: str | None
    status: str | None
    comment: CommentData | None = None

    @property
    def is_email(self) -> bool:
        """Whether the ticket came in by email (``email``/``mail``/via id 4)."""
        return (self.channel or "").lower() in EMAIL_CHANNELS

    def to_inbox(self) -> dict[str, Any]:
        """The JSON stored in the inbox row."""
        return asdict(self)

    @classmethod
    def from_inbox(cls, data: dict[str, Any]) -> TicketEvent:
        """Rebuild the event from its inbox row."""
        comment = data.get("comment")
        fields = {k: v for k, v in data.items() if k != "comment"}
        return cls(**fields, comment=CommentData(**comment) if comment else None)


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _ticket_id(value: Any) -> str:
    text = _text(value)
    if text is None or not text.isdigit():
        raise PayloadError("ticket id missing or not numeric")
    return text


def parse_payload(data: Any) -> TicketEvent | str:
    """Parse a decoded webhook body.

    Returns:
        The event, or the name of an event type that needs no action (acknowledged, not stored).

    Raises:
        PayloadError: unknown event type or missing fields.
    """
    if not isinstance(data, dict):
        raise PayloadError("payload is not a JSON object")
    kind = _text(data.get("type")) or ""
    if kind == TRIGGER_TYPE:
        return _parse_trigger(data)
    if not kind.startswith(_PREFIX):
        raise PayloadError("unknown event type")
    short = kind.removeprefix(_PREFIX)
    if short in IGNORED_EVENTS:
        return short
    if short not in HANDLED_EVENTS:
        raise PayloadError(f"unsupported event type {short[:60]!r}")
    return _parse_subscription(data, short)


def _parse_subscription(data: dict[str, Any], short: str) -> TicketEvent:
    event_id = _text(data.get("id"))
    if event_id is None:
        raise PayloadError("event id missing")
    detail = data.get("detail") if isinstance(data.get("detail"), dict) else {}
    subject = _text(data.get("subject")) or ""
    ticket_id = _ticket_id(detail.get("id") or subject.removeprefix("zen:ticket:"))
    via = detail.get("via") if isinstance(detail.get("via"), dict) else {}
    event = data.get("event") if isinstance(data.get("event"), dict) else {}
    comment = _parse_comment(event.get("comment"))
    if short == "ticket.comment_added" and comment is None:
        raise PayloadError("comment_added event without a comment")
    status = _text(detail.get("status"))
    return TicketEvent(
        event_id=event_id[:200],
        kind=short,
        ticket_id=ticket_id,
        channel=_text(via.get("channel")),
        requester_id=_text(detail.get("requester_id")),
        status=status.lower() if status else None,
        comment=comment,
    )


def _parse_comment(raw: Any) -> CommentData | None:
    if not isinstance(raw, dict) or _text(raw.get("id")) is None:
        return None
    author = raw.get("author") if isinstance(raw.get("author"), dict) else {}
    staff = author.get("is_staff")
    body = raw.get("body")
    return CommentData(
        id=str(_text(raw.get("id"))),
        body=body if isinstance(body, str) else "",
        public=raw.get("is_public") is not False,
        author_id=_text(author.get("id")),
        author_is_staff=staff if isinstance(staff, bool) else None,
    )


def _parse_trigger(data: dict[str, Any]) -> TicketEvent:
    ticket_id = _ticket_id(data.get("ticket_id"))
    dedupe = _text(data.get("id"))
    if dedupe is None or "{{" in dedupe:
        raise PayloadError("trigger payload needs an id (see the README template)")
    return TicketEvent(
        event_id=f"trigger:{dedupe[:180]}",
        kind="trigger",
        ticket_id=ticket_id,
        channel=_text(data.get("via")),
        requester_id=None,
        status=None,
    )
