"""A small Sonar GraphQL client: bearer token, variables only, page_info pagination, limits.

* Every operation is a constant document from :mod:`handlers.sonar.queries`; values travel only
  as GraphQL variables, never spliced into query text (``sonar-notes.md`` section 7).
* A token bucket keeps the client under Sonar's 400 requests per minute per user.
* 429, 5xx, transport errors and Sonar's "Request limit" body are retried with exponential
  backoff (``Retry-After`` wins); a GraphQL ``errors`` array is a failure even with HTTP 200.
* Logs name the operation, status and timing only: never variables, responses or tokens, and
  error messages are scrubbed of emails and digit runs before they are raised or logged.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx

from bot.errors import IntegrationError, RetryLaterError

__all__ = ["SonarClient", "SonarGraphQLError", "TokenBucket", "scrub"]

log = logging.getLogger(__name__)
_OPERATION = re.compile(r"^\s*(?:query|mutation)\s+(\w+)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DIGITS = re.compile(r"\d{3,}")


def scrub(text: str) -> str:
    """``text`` with emails and runs of 3+ digits masked (error messages may echo CPNI)."""
    return _DIGITS.sub("###", _EMAIL.sub("<email>", text))[:300]


class SonarGraphQLError(IntegrationError):
    """Sonar answered with GraphQL ``errors`` (or no ``data``); messages are scrubbed."""

    def __init__(self, operation: str, messages: list[str]) -> None:
        self.operation = operation
        self.messages = [scrub(m) for m in messages]
        super().__init__(f"Sonar {operation} failed: " + "; ".join(self.messages))


class TokenBucket:
    """Allows ``rate_per_minute`` requests per minute with bursts up to ``burst``.

    Args:
        rate_per_minute: the sustained rate (keep it under Sonar's 400/min).
        burst: the bucket size.
        monotonic: the time source (seconds); injected in tests.
        sleep: how to wait; injected in tests.
    """

    def __init__(
        self,
        rate_per_minute: float,
        *,
        burst: float = 10,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate_per_minute / 60.0
        self.capacity = burst
        self.tokens = burst
        self.monotonic = monotonic
        self.sleep = sleep
        self.updated = monotonic()
        self.lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, waiting when the bucket is empty; returns the seconds waited."""
        with self.lock:
            now = self.monotonic()
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            self.tokens -= 1
            wait = -self.tokens / self.rate if self.tokens < 0 else 0.0
        if wait:
            self.sleep(wait)
        return wait


class SonarClient:
    """Runs GraphQL operations against ``<base_url>/api/graphql`` with a personal access token.

    Args:
        base_url: the instance URL, e.g. ``https://isp.sonar.software``.
        token: the personal access token (acts with its user's role).
        bucket: the request limiter; defaults to 300 requests per minute.
        max_retries: attempts after the first on 429, 5xx and transport errors.
        timeout: seconds per request.
        transport: an httpx transport (tests only).
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        bucket: TokenBucket | None = None,
        max_retries: int = 4,
        backoff_base: float = 1.0,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.bucket = bucket or TokenBucket(300)
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.sleep = sleep
        self.requests = 0
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"SonarClient({self._http.base_url!s})"

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def execute(self, document: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Run one operation and return its ``data``.

        Raises:
            SonarGraphQLError: the response carries ``errors`` or no ``data``.
            RetryLaterError: Sonar stayed rate-limited or unavailable after every retry.
        """
        match = _OPERATION.match(document)
        operation = match.group(1) if match else "anonymous"
        body = {"query": document, "variables": dict(variables or {})}
        for attempt in range(self.max_retries + 1):
            self.bucket.acquire()
            started = time.perf_counter()
            outcome = self._attempt(operation, body, attempt)
            if isinstance(outcome, dict):
                log.debug(
                    "sonar call",
                    extra={"operation": operation, "ms": (time.perf_counter() - started) * 1e3},
                )
                return outcome
            if attempt == self.max_retries:
                break
            self.sleep(outcome)
        raise RetryLaterError(f"Sonar {operation}: unavailable or rate-limited", retry_after=60)

    def _attempt(
        self, operation: str, body: dict[str, Any], attempt: int
    ) -> dict[str, Any] | float:
        """The operation's data, or how long to wait before trying again."""
        self.requests += 1
        backoff = self.backoff_base * 2**attempt
        try:
            response = self._http.post("/api/graphql", json=body)
        except httpx.TransportError as exc:
            log.warning(
                "sonar unreachable", extra={"operation": operation, "error": type(exc).__name__}
            )
            return backoff
        if response.status_code == 429 or response.status_code >= 500:
            log.warning(
                "sonar busy", extra={"operation": operation, "status": response.status_code}
            )
            header = response.headers.get("Retry-After", "")
            return float(header) if header.isdigit() else backoff
        try:
            payload = response.json()
        except ValueError as exc:
            raise SonarGraphQLError(operation, [f"HTTP {response.status_code}, not JSON"]) from exc
        if isinstance(payload, dict) and "Request limit" in str(payload.get("error", "")):
            return max(backoff, 5.0)
        return self._data(operation, response.status_code, payload)

    @staticmethod
    def _data(operation: str, status: int, payload: Any) -> dict[str, Any]:
        if not isinstance(payload, dict):
            raise SonarGraphQLError(operation, [f"HTTP {status}, unexpected body"])
        errors = payload.get("errors")
        if errors:
            messages = [str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors]
            log.warning("sonar errors", extra={"operation": operation, "count": len(messages)})
            raise SonarGraphQLError(operation, messages)
        data = payload.get("data")
        if status >= 400 or not isinstance(data, dict):
            raise SonarGraphQLError(operation, [f"HTTP {status}", str(payload.get("error", ""))])
        return data

    def paginate(
        self,
        document: str,
        variables: Mapping[str, Any],
        *,
        path: str,
        page_size: int = 100,
    ) -> Iterator[dict[str, Any]]:
        """Yield every entity of the connection at ``path`` (dotted), page by page.

        The document must take ``$paginator: Paginator!``; pages are requested until
        ``page_info.page`` reaches ``page_info.total_pages``.
        """
        page = 1
        while True:
            data = self.execute(
                document, {**variables, "paginator": {"page": page, "records_per_page": page_size}}
            )
            connection: Any = data
            for part in path.split("."):
                connection = connection[part]
            yield from connection["entities"]
            info = connection["page_info"]
            if info["page"] >= info["total_pages"]:
                return
            page += 1
