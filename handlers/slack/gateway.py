"""Outbound Slack Web API calls for the worker (sync), with errors mapped for the outbox.

A 429 becomes :class:`~bot.errors.RetryLaterError` with Slack's ``Retry-After``, a 5xx or a
network failure a ``RetryLaterError`` without one (the worker backs off), and any other Slack
error an :class:`~bot.errors.IntegrationError` naming the method and Slack's error code. The
client never sleeps on a 429 itself: the outbox schedules the retry, so a worker thread is never
held (platform-notes.md A9).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import IntegrationError, RetryLaterError

__all__ = ["SlackCallError", "SlackGateway"]

log = logging.getLogger(__name__)

#: Methods Slack documents as reading form/query parameters rather than JSON bodies.
_FORM_METHODS = frozenset(
    {"auth.test", "conversations.replies", "conversations.members", "usergroups.users.list"}
)


class SlackCallError(IntegrationError):
    """Slack answered ``ok: false`` with ``error`` (a permanent answer, not a transient one)."""

    def __init__(self, method: str, error: str) -> None:
        super().__init__(f"slack {method}: {error}")
        self.method = method
        self.error = error


def _retry_after(headers: Any) -> float | None:
    if not headers:
        return None
    for name in ("Retry-After", "retry-after"):
        value = headers.get(name)
        if isinstance(value, list):
            value = value[0] if value else None
        if value is not None:
            try:
                return float(value)
            except ValueError:
                return None
    return None


class SlackGateway:
    """Calls Slack with the bot token of the thread's workspace.

    Args:
        base_url: the Web API base (``SLACK_API_URL``).
        token_for: the bot token of a team id (single-workspace token or the installation).
    """

    def __init__(self, *, base_url: str, token_for: Callable[[str], str | None]) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.token_for = token_for
        self._clients: dict[str, WebClient] = {}

    def _client(self, team: str) -> WebClient:
        token = self.token_for(team)
        if not token:
            raise IntegrationError(f"no Slack installation for team {team}")
        client = self._clients.get(token)
        if client is None:
            client = WebClient(token=token, base_url=self.base_url, timeout=10)
            self._clients[token] = client
        return client

    def call(self, team: str, method: str, **params: Any) -> dict[str, Any]:
        """Call ``method`` for ``team``; return Slack's JSON answer.

        Raises:
            RetryLaterError: 429 (with ``retry_after``), 5xx or a network failure.
            SlackCallError: Slack answered ``ok: false``.
        """
        client = self._client(team)
        clean = {k: v for k, v in params.items() if v is not None}
        try:
            if method in _FORM_METHODS:
                response = client.api_call(method, data=clean)
            else:
                response = client.api_call(method, json=clean)
        except SlackApiError as exc:
            status = exc.response.status_code
            if status == 429:
                raise RetryLaterError(
                    f"slack {method} rate limited", retry_after=_retry_after(exc.response.headers)
                ) from exc
            if status >= 500:
                raise RetryLaterError(f"slack {method} answered {status}") from exc
            error = str((exc.response.data or {}).get("error", f"http_{status}"))
            raise SlackCallError(method, error) from exc
        except (OSError, TimeoutError, ValueError) as exc:  # network failure or a non-JSON body
            raise RetryLaterError(f"slack {method} unreachable ({type(exc).__name__})") from exc
        data: dict[str, Any] = dict(response.data) if isinstance(response.data, dict) else {}
        return data
