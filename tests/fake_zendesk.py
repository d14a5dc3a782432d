"""A local fake Zendesk API over real HTTP, for zenpy and the gateway (DESIGN.md section 5).

It records every call and enforces the platform rules the bot depends on:

* a comment is **public unless ``public`` is false** (Zendesk's default, platform-notes B2);
* tags change only through ``/tickets/{id}/tags`` (PUT adds, POST replaces, DELETE removes);
* the per-ticket update limit: 30 updates per ticket per 10 minutes, then 429 + Retry-After;
* scripted failures: ``fail(status, times, retry_after)`` or ``outage(status)`` until cleared;
* ``PUT /api/v2/comment_redactions/{id}``: text inside ``<redact>`` becomes ``▇`` for good;
* API-token basic auth (``{email}/token:{token}``) on every request.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import uvicorn

UPDATE_LIMIT = 30
UPDATE_WINDOW = timedelta(minutes=10)
_REDACT = re.compile(r"<redact>(.*?)</redact>", re.DOTALL)


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    status: int


@dataclass
class FakeZendeskState:
    tickets: dict[int, dict[str, Any]] = field(default_factory=dict)
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    users: dict[int, dict[str, Any]] = field(default_factory=dict)
    memberships: dict[int, list[int]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    updates: dict[int, list[datetime]] = field(default_factory=dict)
    failures: list[tuple[int, float | None]] = field(default_factory=list)
    outage_status: int | None = None
    next_id: int = 90000


class FakeZendesk:
    """Start with ``with FakeZendesk() as zd:``; ``zd.url`` is the base URL to configure."""

    def __init__(
        self,
        *,
        email: str = "bot@example.com",
        token: str = "zd-test-token",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.email, self.token = email, token
        self.clock = clock or (lambda: datetime.now(UTC))
        self.state = FakeZendeskState()
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeZendesk:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- set-up -------------------------------------------------------------------------------
    def _new_id(self) -> int:
        self.state.next_id += 1
        return self.state.next_id

    def add_user(
        self,
        *,
        role: str = "end-user",
        email: str | None = None,
        phone: str | None = None,
        ticket_restriction: str | None = None,
        groups: tuple[int, ...] = (),
        user_id: int | None = None,
    ) -> int:
        uid = user_id or self._new_id()
        self.state.users[uid] = {
            "id": uid,
            "role": role,
            "email": email,
            "phone": phone,
            "ticket_restriction": ticket_restriction,
            "active": True,
            "name": f"User {uid}",
        }
        self.state.memberships[uid] = list(groups)
        return uid

    def add_ticket(
        self,
        *,
        requester_id: int,
        channel: str = "web",
        group_id: int | None = None,
        assignee_id: int | None = None,
        tags: tuple[str, ...] = (),
        ticket_id: int | None = None,
    ) -> int:
        tid = ticket_id or self._new_id()
        self.state.tickets[tid] = {
            "id": tid,
            "via": {"channel": channel},
            "requester_id": requester_id,
            "group_id": group_id,
            "assignee_id": assignee_id,
            "status": "open",
            "tags": list(tags),
            "custom_fields": [],
        }
        self.state.comments[tid] = []
        return tid

    def add_comment(
        self,
        ticket_id: int,
        body: str,
        *,
        author_id: int,
        public: bool = True,
        channel: str = "web",
    ) -> int:
        cid = self._new_id()
        self.state.comments[ticket_id].append(_comment(cid, body, author_id, public, channel))
        return cid

    def fail(self, status: int, *, times: int = 1, retry_after: float | None = None) -> None:
        """Answer the next ``times`` requests with ``status``."""
        self.state.failures.extend([(status, retry_after)] * times)

    def outage(self, status: int | None) -> None:
        """Answer every request with ``status`` until called with ``None``."""
        self.state.outage_status = status

    # -- queries for tests --------------------------------------------------------------------
    def calls_to(self, method: str, pattern: str) -> list[Call]:
        return [c for c in self.state.calls if c.method == method and re.fullmatch(pattern, c.path)]

    def notes(self, ticket_id: int) -> list[dict[str, Any]]:
        return [c for c in self.state.comments[ticket_id] if not c["public"]]

    def public_comments(self, ticket_id: int) -> list[dict[str, Any]]:
        return [c for c in self.state.comments[ticket_id] if c["public"]]

    # -- request handling ---------------------------------------------------------------------
    def handle(
        self, method: str, raw_path: str, headers: Any, body: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        parts = urlsplit(raw_path)
        path, query = parts.path, parse_qs(parts.query)
        try:
            data = json.loads(body) if body else None
        except ValueError:
            data = None
        with self.lock:
            status, payload, extra = self._dispatch(method, path, query, headers, data)
            self.state.calls.append(Call(method, path, query, data, status))
        return status, payload, extra

    def _dispatch(
        self, method: str, path: str, query: Any, headers: Any, data: Any
    ) -> tuple[int, Any, dict[str, str]]:
        expected = "Basic " + base64.b64encode(f"{self.email}/token:{self.token}".encode()).decode()
        if headers.get("Authorization") != expected:
            return 401, {"error": "Couldn't authenticate you"}, {}
        if self.state.outage_status is not None:
            return self.state.outage_status, {"error": "Service Unavailable"}, {}
        if self.state.failures:
            status, retry_after = self.state.failures.pop(0)
            extra = {"Retry-After": str(int(retry_after))} if retry_after is not None else {}
            return status, {"error": "scripted failure"}, extra
        route = _route(method, path)
        if route is None:
            return 404, {"error": "InvalidEndpoint"}, {}
        name, ident = route
        return getattr(self, f"_{name}")(ident, data, query)

    def _ticket_or_404(self, tid: int) -> dict[str, Any] | None:
        return self.state.tickets.get(tid)

    def _limited(self, tid: int) -> tuple[int, Any, dict[str, str]] | None:
        now = self.clock()
        recent = [t for t in self.state.updates.get(tid, []) if now - t < UPDATE_WINDOW]
        self.state.updates[tid] = recent
        if len(recent) >= UPDATE_LIMIT:
            wait = int((recent[0] + UPDATE_WINDOW - now).total_seconds()) + 1
            return 429, {"error": "TooManyRequests"}, {"Retry-After": str(wait)}
        recent.append(now)
        return None

    def _get_ticket(self, tid: int, data: Any, query: Any) -> tuple[int, Any, dict[str, str]]:
        ticket = self._ticket_or_404(tid)
        if ticket is None:
            return 404, {"error": "RecordNotFound"}, {}
        return 200, {"ticket": ticket}, {}

    def _put_ticket(self, tid: int, data: Any, query: Any) -> tuple[int, Any, dict[str, str]]:
        ticket = self._ticket_or_404(tid)
        if ticket is None:
            return 404, {"error": "RecordNotFound"}, {}
        limited = self._limited(tid)
        if limited:
            return limited
        change = (data or {}).get("ticket") or {}
        if "tags" in change:
            return 422, {"error": "use the tags endpoints in tests"}, {}
        events = []
        comment = change.get("comment")
        if comment:
            cid = self._new_id()
            public = comment.get("public", True) is not False  # Zendesk: public unless false
            self.state.comments[tid].append(
                _comment(cid, comment.get("body", ""), 1, public, "api")
            )
            events.append(
                {"id": cid, "type": "Comment", "public": public, "body": comment.get("body", "")}
            )
        for cf in change.get("custom_fields") or []:
            ticket["custom_fields"] = [
                f for f in ticket["custom_fields"] if f["id"] != cf["id"]
            ] + [cf]
        audit = {"id": self._new_id(), "ticket_id": tid, "events": events}
        return 200, {"ticket": ticket, "audit": audit}, {}

    def _comments(self, tid: int, data: Any, query: Any) -> tuple[int, Any, dict[str, str]]:
        if self._ticket_or_404(tid) is None:
            return 404, {"error": "RecordNotFound"}, {}
        comments = self.state.comments[tid]
        return (
            200,
            {
                "comments": comments,
                "next_page": None,
                "previous_page": None,
                "count": len(comments),
                "meta": {"has_more": False},
                "links": {"next": None},
            },
            {},
        )

    def _tags(
        self, tid: int, data: Any, query: Any, *, mode: str
    ) -> tuple[int, Any, dict[str, str]]:
        ticket = self._ticket_or_404(tid)
        if ticket is None:
            return 404, {"error": "RecordNotFound"}, {}
        limited = self._limited(tid)
        if limited:
            return limited
        tags = list((data or {}).get("tags") or [])
        if mode == "add":
            ticket["tags"] = ticket["tags"] + [t for t in tags if t not in ticket["tags"]]
        elif mode == "set":
            ticket["tags"] = tags
        else:
            ticket["tags"] = [t for t in ticket["tags"] if t not in tags]
        return 200, {"tags": ticket["tags"]}, {}

    def _add_tags(self, tid: int, data: Any, query: Any) -> tuple[int, Any, dict[str, str]]:
        return self._tags(tid, data, query, mode="add")

    def _set_tags(self, tid: int, data: Any, query: Any) -> tuple[int, Any, dict[str, str]]:
        return self._tags(tid, data, query, mode="set")

    def _delete_tags(self, tid: int, data: Any, query: Any) -> tuple[int, Any, dict[str, str]]:
        return self._tags(tid, data, query, mode="delete")

    def _get_user(self, uid: int, data: Any, query: Any) -> tuple[int, Any, dict[str, str]]:
        user = self.state.users.get(uid)
        if user is None:
            return 404, {"error": "RecordNotFound"}, {}
        return 200, {"user": user}, {}

    def _memberships(self, uid: int, data: Any, query: Any) -> tuple[int, Any, dict[str, str]]:
        rows = [
            {"id": uid * 1000 + g, "user_id": uid, "group_id": g, "default": False}
            for g in self.state.memberships.get(uid, [])
        ]
        return (
            200,
            {
                "group_memberships": rows,
                "next_page": None,
                "count": len(rows),
                "meta": {"has_more": False},
                "links": {"next": None},
            },
            {},
        )

    def _redact(self, cid: int, data: Any, query: Any) -> tuple[int, Any, dict[str, str]]:
        data = data or {}
        tid = data.get("ticket_id")
        html = data.get("html_body")
        if not isinstance(tid, int) or not isinstance(html, str) or "<redact>" not in html:
            return 400, {"error": "InvalidValue"}, {}
        for comment in self.state.comments.get(tid, []):
            if comment["id"] == cid:
                secrets = _REDACT.findall(html)
                for secret in secrets:
                    comment["body"] = comment["body"].replace(secret, "▇" * len(secret))
                    comment["plain_body"] = comment["body"]
                comment["html_body"] = _REDACT.sub(lambda m: "▇" * len(m.group(1)), html)
                return 200, {"comment": comment}, {}
        return 404, {"error": "RecordNotFound"}, {}


def _comment(cid: int, body: str, author_id: int, public: bool, channel: str) -> dict[str, Any]:
    return {
        "id": cid,
        "type": "Comment",
        "body": body,
        "html_body": f'<div class="zd-comment"><p>{body}</p></div>',
        "plain_body": body,
        "public": public,
        "author_id": author_id,
        "via": {"channel": channel},
        "created_at": "2026-03-02T15:00:00Z",
    }


_ROUTES = [
    ("GET", r"/api/v2/tickets/(\d+)\.json", "get_ticket"),
    ("PUT", r"/api/v2/tickets/(\d+)\.json", "put_ticket"),
    ("GET", r"/api/v2/tickets/(\d+)/comments\.json", "comments"),
    ("PUT", r"/api/v2/tickets/(\d+)/tags\.json", "add_tags"),
    ("POST", r"/api/v2/tickets/(\d+)/tags\.json", "set_tags"),
    ("DELETE", r"/api/v2/tickets/(\d+)/tags\.json", "delete_tags"),
    ("GET", r"/api/v2/users/(\d+)\.json", "get_user"),
    ("GET", r"/api/v2/users/(\d+)/group_memberships\.json", "memberships"),
    ("PUT", r"/api/v2/comment_redactions/(\d+)\.json", "redact"),
]


def _route(method: str, path: str) -> tuple[str, int] | None:
    for verb, pattern, name in _ROUTES:
        match = re.fullmatch(pattern, path)
        if verb == method and match:
            return name, int(match.group(1))
    return None


def _handler_for(fake: FakeZendesk) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, payload, extra = fake.handle(self.command, self.path, self.headers, body)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for key, value in extra.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_PUT = do_POST = do_DELETE = _serve  # noqa: N815 (http.server naming)

        def log_message(self, *args: Any) -> None:
            return

    return Handler


class LiveServer:
    """Serve an ASGI app with uvicorn on 127.0.0.1 and a free port, in a thread (browser tests)."""

    def __init__(self, app: Any) -> None:
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:  # start-up handshake, not timing logic
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
