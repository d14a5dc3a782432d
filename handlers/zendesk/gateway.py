"""The Zendesk API through zenpy: reads tickets, comments and users; writes notes and tags.

Three decisions (platform-notes B4, D):

* **Base URL.** ``ZENDESK_API_URL`` (default ``https://{subdomain}.zendesk.com``) is honoured by
  one transport adapter that changes only where the connection goes: zenpy keeps building and
  recognising ``https://{subdomain}.zendesk.com`` URLs, so its response parsing is unchanged.
  No process-wide ``ZENPY_FORCE_*`` variables.
* **Rate limits.** A fresh client per unit of work, so zenpy's ``ratelimit_budget`` (never
  refilled) bounds one effect only. A 429 whose ``Retry-After`` exceeds the budget is not slept
  on at all: a response hook turns it into :class:`~bot.errors.RetryLaterError` at once and the
  outbox reschedules the effect. 5xx and connection errors are retried by the outbox too.
* **No transport retries.** urllib3 would re-send a PUT after a 503; the outbox retries instead,
  and every write is preceded by an idempotency check (note marker, tag already present).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from zenpy import Zenpy
from zenpy.lib.api_objects import Comment, CustomField, Ticket
from zenpy.lib.exception import APIException, RatelimitBudgetExceeded, ZenpyException

from bot.errors import IntegrationError, RetryLaterError

__all__ = [
    "CommentInfo",
    "GatewayConfig",
    "TicketInfo",
    "UserInfo",
    "ZendeskGateway",
    "retry_after_seconds",
]

log = logging.getLogger(__name__)
_TIMEOUT = 10
# zenpy logs request payloads and whole responses (comment bodies, so a customer's PIN) at
# DEBUG: keep it at WARNING whatever the root level (DESIGN: no message body in logs).
logging.getLogger("zenpy").setLevel(logging.WARNING)


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """The ``Retry-After`` header in seconds, if it is a number."""
    value = headers.get("Retry-After") or headers.get("retry-after")
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class GatewayConfig:
    """How to reach Zendesk; the token is read only when a session is built."""

    subdomain: str
    email: str
    api_token: str
    api_url: str | None = None
    ratelimit_budget: int = 10

    @property
    def zendesk_host(self) -> str:
        """The host zenpy builds URLs for."""
        return f"{self.subdomain}.zendesk.com"

    def __repr__(self) -> str:
        return f"GatewayConfig(subdomain={self.subdomain!r}, api_url={self.api_url!r})"


class _BaseUrlAdapter(HTTPAdapter):
    """Sends requests for ``{subdomain}.zendesk.com`` to the configured base URL instead."""

    def __init__(self, *, zendesk_host: str, api_url: str) -> None:
        super().__init__(max_retries=0)
        self.zendesk_host = zendesk_host
        target = urlsplit(api_url.rstrip("/"))
        self.scheme, self.netloc, self.prefix = target.scheme, target.netloc, target.path

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        """Route the connection, then report the original URL back to zenpy."""
        parts = urlsplit(request.url or "")
        if parts.netloc != self.zendesk_host:
            raise IntegrationError("refusing a request outside the Zendesk account")
        routed = request.copy()
        routed.url = urlunsplit(
            (self.scheme, self.netloc, self.prefix + parts.path, parts.query, "")
        )
        response = super().send(routed, **kwargs)
        response.request = request
        response.url = request.url or ""
        return response


@dataclass(frozen=True, slots=True)
class TicketInfo:
    """The ticket fields the bot uses."""

    id: str
    channel: str | None
    requester_id: str | None
    assignee_id: str | None
    group_id: str | None
    status: str | None
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CommentInfo:
    """One ticket comment (its body is used in memory only)."""

    id: str
    body: str
    html_body: str
    public: bool
    author_id: str | None
    channel: str | None


@dataclass(frozen=True, slots=True)
class UserInfo:
    """A Zendesk user, for requester matching and agent permission checks."""

    id: str
    role: str | None
    email: str | None
    phone: str | None
    ticket_restriction: str | None
    active: bool


def _sid(value: Any) -> str | None:
    return None if value is None else str(value)


def _via_channel(via: Any) -> str | None:
    if via is None:
        return None
    if isinstance(via, dict):
        return _sid(via.get("channel"))
    return _sid(getattr(via, "channel", None))


class ZendeskGateway:
    """Zendesk reads and writes for one unit of work (build one per effect or request)."""

    def __init__(self, config: GatewayConfig) -> None:
        self.config = config
        self.session = requests.Session()
        api_url = config.api_url or f"https://{config.zendesk_host}"
        adapter = _BaseUrlAdapter(zendesk_host=config.zendesk_host, api_url=api_url)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.hooks["response"].append(self._refuse_long_waits)
        self.client = Zenpy(
            subdomain=config.subdomain,
            email=config.email,
            token=config.api_token,
            session=self.session,
            timeout=_TIMEOUT,
            ratelimit_budget=config.ratelimit_budget,
        )
        self._budget = float(config.ratelimit_budget)

    def _refuse_long_waits(self, response: requests.Response, **_: Any) -> requests.Response:
        """Hand a 429 longer than the remaining budget (or any 5xx) back to the outbox."""
        status = response.status_code
        wait = retry_after_seconds(response.headers)
        if status == 429 and (wait is None or wait >= self._budget):
            raise RetryLaterError("zendesk rate limit", retry_after=wait)
        if status == 429 and wait is not None:
            self._budget -= wait
        if status >= 500:
            raise RetryLaterError(f"zendesk answered {status}", retry_after=wait)
        return response

    def _call(self, what: str, func: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RetryLaterError:
            raise
        except RatelimitBudgetExceeded as exc:
            raise RetryLaterError("zendesk rate-limit budget spent") from exc
        except requests.RequestException as exc:
            raise RetryLaterError(f"zendesk unreachable during {what}") from exc
        except APIException as exc:
            status = getattr(getattr(exc, "response", None), "status_code", None)
            raise IntegrationError(f"zendesk refused {what} (HTTP {status})") from exc
        except ZenpyException as exc:
            raise IntegrationError(f"zendesk client error during {what}") from exc

    # -- reads ------------------------------------------------------------------------------
    def ticket(self, ticket_id: str) -> TicketInfo:
        """The ticket's channel, requester, group, assignee, status and tags."""
        raw = self._call("ticket read", self._get_json, f"tickets/{ticket_id}.json")["ticket"]
        return TicketInfo(
            id=str(raw["id"]),
            channel=_via_channel(raw.get("via")),
            requester_id=_sid(raw.get("requester_id")),
            assignee_id=_sid(raw.get("assignee_id")),
            group_id=_sid(raw.get("group_id")),
            status=_sid(raw.get("status")),
            tags=tuple(raw.get("tags") or ()),
        )

    def comments(self, ticket_id: str) -> list[CommentInfo]:
        """Every comment of the ticket, oldest first (zenpy follows the pagination)."""
        found = self._call("comment list", lambda: list(self.client.tickets.comments(ticket_id)))
        return [
            CommentInfo(
                id=str(c.id),
                body=c.body or "",
                html_body=c.html_body or "",
                public=c.public is not False,
                author_id=_sid(c.author_id),
                channel=_via_channel(c.via),
            )
            for c in found
        ]

    def user(self, user_id: str) -> UserInfo | None:
        """A user by id, or ``None`` if Zendesk does not know it."""
        try:
            raw = self._get_json(f"users/{user_id}.json")["user"]
        except APIException as exc:
            if getattr(getattr(exc, "response", None), "status_code", None) == 404:
                return None
            raise IntegrationError("zendesk refused user read") from exc
        except requests.RequestException as exc:
            raise RetryLaterError("zendesk unreachable during user read") from exc
        return UserInfo(
            id=str(raw["id"]),
            role=_sid(raw.get("role")),
            email=_sid(raw.get("email")),
            phone=_sid(raw.get("phone")),
            ticket_restriction=_sid(raw.get("ticket_restriction")),
            active=raw.get("active") is not False,
        )

    def group_ids(self, user_id: str) -> set[str]:
        """The ids of the groups the user belongs to."""
        found = self._call(
            "group memberships", lambda: list(self.client.users.group_memberships(int(user_id)))
        )
        return {str(m.group_id) for m in found}

    def _get_json(self, path: str) -> dict[str, Any]:
        # zenpy's own call path: the same 429 waiting (within the budget) and error mapping.
        response = self.client.tickets._call_api(
            self.session.get, self._url(path), timeout=_TIMEOUT
        )
        data: dict[str, Any] = response.json()
        return data

    def _url(self, path: str) -> str:
        return f"https://{self.config.zendesk_host}/api/v2/{path}"

    # -- writes -----------------------------------------------------------------------------
    def add_comment(
        self,
        ticket_id: str,
        *,
        body: str,
        public: bool,
        custom_field: tuple[int, Any] | None = None,
    ) -> str | None:
        """Add a comment (``public`` always sent explicitly); returns the new comment's id."""
        ticket = Ticket(id=int(ticket_id), comment=Comment(body=body, public=public))
        if custom_field is not None:
            ticket.custom_fields = [CustomField(id=custom_field[0], value=custom_field[1])]
        audit = self._call("ticket update", self.client.tickets.update, ticket)
        events = getattr(getattr(audit, "audit", None), "events", None) or []
        for event in events:
            if (event.get("type") if isinstance(event, dict) else None) == "Comment":
                return _sid(event.get("id"))
        return None

    def add_tags(self, ticket_id: str, tags: list[str]) -> None:
        """Add tags with ``PUT /tickets/{id}/tags`` (never replaces the tag list)."""
        self._call("tag add", self.client.tickets.add_tags, int(ticket_id), tags)

    def remove_tags(self, ticket_id: str, tags: list[str]) -> None:
        """Remove tags with ``DELETE /tickets/{id}/tags``."""
        self._call("tag removal", self.client.tickets.delete_tags, int(ticket_id), tags)

    def redact(self, ticket_id: str, comment_id: str, *, html_body: str) -> None:
        """Redact with ``PUT /api/v2/comment_redactions/{id}`` (text inside ``<redact>``).

        zenpy has no wrapper for this endpoint and its ``comment_redact`` calls the legacy one,
        which cannot redact closed tickets or formatted text (platform-notes B2).
        """
        payload = {"ticket_id": int(ticket_id), "html_body": html_body}

        def put() -> None:
            self.client.tickets._call_api(
                self.session.put,
                self._url(f"comment_redactions/{comment_id}.json"),
                json=payload,
                timeout=_TIMEOUT,
            )

        self._call("comment redaction", put)
