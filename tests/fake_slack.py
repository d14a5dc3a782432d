"""A fake Slack Web API over real HTTP, for tests and benchmarks.

It plays the methods cpni-guard calls, records every call, and enforces the platform rules the
bot depends on (platform-notes.md A6): a bot may ``chat.update`` only its own messages, a
``trigger_id`` is single-use and expires after 3 s, ``pins.add`` refuses a second pin. It can be
told to answer 429 with ``Retry-After`` or 500 for the next calls of a method.

For the multi-workspace install it plays ``oauth.v2.access`` (client id and secret in HTTP Basic
auth, a one-time ``code``) and installs the new workspace's bot token, and for Socket Mode
``apps.connections.open`` (app-level ``xapp-`` token only), whose URL points at
:class:`FakeSocketMode`, a local WebSocket server (``serve_fake_socket_mode``).
"""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

TEAM = "T0CPNI"
BOT_TOKEN = "xoxb-fake-bot-token-0123456789"
BOT_USER = "UBOT"
BOT_ID = "BBOT"
APP_TOKEN = "xapp-1-A0CPNI-fake-app-token"
CLIENT_ID = "1111.2222"
CLIENT_SECRET = "fake-client-secret-0123"
TRIGGER_SECONDS = 3.0


@dataclass
class Call:
    """One recorded Web API call."""

    method: str
    params: dict[str, Any]
    status: int
    error: str | None = None
    #: The credential the call carried: the Bearer token, or ``basic:<client id>``.
    token: str | None = None


@dataclass
class _Failure:
    status: int
    retry_after: int | None
    remaining: int


@dataclass
class FakeSlack:
    """The fake's state: messages, pins, triggers, views, user groups and recorded calls."""

    tokens: dict[str, tuple[str, str, str]] = field(
        default_factory=lambda: {BOT_TOKEN: (TEAM, BOT_USER, BOT_ID)}
    )
    messages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    pins: set[tuple[str, str]] = field(default_factory=set)
    triggers: dict[str, float] = field(default_factory=dict)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    usergroups: dict[str, list[str]] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)
    app_tokens: set[str] = field(default_factory=lambda: {APP_TOKEN})
    #: One-time OAuth codes: code -> (team id, bot token, bot user id, bot id).
    oauth_codes: dict[str, tuple[str, str, str, str]] = field(default_factory=dict)
    #: The ``ws://`` URL ``apps.connections.open`` hands out (a FakeSocketMode's).
    socket_url: str = ""
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, _Failure] = field(default_factory=dict)
    url: str = ""
    #: When set, a 500 on chat.postMessage still posts (Slack failed after doing the work).
    post_before_500: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _seq: int = 0

    # -- test controls ------------------------------------------------------------------------
    def fail(
        self, method: str, *, status: int = 429, retry_after: int | None = 1, times: int = 1
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with ``status`` (and Retry-After)."""
        self.failures[method] = _Failure(status, retry_after, times)

    def issue_trigger(self, *, age_seconds: float = 0.0) -> str:
        """A trigger_id as a user interaction would carry, ``age_seconds`` old."""
        trigger = f"{int(time.time())}.{uuid.uuid4().hex[:12]}"
        self.triggers[trigger] = time.monotonic() - age_seconds
        return trigger

    def post_as_user(self, channel: str, user: str, text: str) -> str:
        """A message some human posted (the bot cannot update it)."""
        with self._lock:
            ts = self._next_ts()
            self.messages[(channel, ts)] = {"ts": ts, "user": user, "text": text}
        return ts

    def grant_code(self, code: str, *, team: str, bot_token: str) -> None:
        """Let ``oauth.v2.access`` exchange ``code`` (once) for ``bot_token`` of ``team``."""
        self.oauth_codes[code] = (team, bot_token, f"UBOT{team}", f"BBOT{team}")

    def calls_of(self, method: str, *, ok: bool | None = None) -> list[Call]:
        """Recorded calls of ``method`` (only successful ones if ``ok``)."""
        return [
            c
            for c in self.calls
            if c.method == method and (ok is None or (c.status == 200 and c.error is None) == ok)
        ]

    def bot_messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Messages the bot posted, oldest first."""
        return [
            m
            for (ch, _), m in sorted(self.messages.items(), key=lambda kv: float(kv[0][1]))
            if m.get("bot_id") == BOT_ID and (channel is None or ch == channel)
        ]

    # -- the API --------------------------------------------------------------------------------
    def _next_ts(self) -> str:
        self._seq += 1
        return f"{1700000000 + self._seq}.{self._seq:06d}"

    def handle(
        self, method: str, token: str | None, params: dict[str, Any], *, basic: str | None = None
    ) -> tuple[int, Any]:
        """Answer one call: (HTTP status, JSON body or None)."""
        with self._lock:
            failure = self.failures.get(method)
            credential = f"basic:{basic.partition(':')[0]}" if basic else token
            if failure and failure.remaining > 0:
                failure.remaining -= 1
                self.calls.append(Call(method, params, failure.status, "injected", credential))
                return failure.status, {"retry_after": failure.retry_after}
            body = self._dispatch(method, token, params, basic)
            status = 404 if body.get("error") == "unknown_method" else 200
            error = None if body.get("ok") else body.get("error")
            self.calls.append(Call(method, params, status, error, credential))
            return status, body

    def _dispatch(
        self, method: str, token: str | None, params: dict[str, Any], basic: str | None
    ) -> dict[str, Any]:
        if method == "oauth.v2.access":
            return self._oauth_v2_access(basic, params)
        if method == "apps.connections.open":
            if token in self.app_tokens:
                return {"ok": True, "url": self.socket_url}
            return {"ok": False, "error": "not_allowed_token_type" if token else "not_authed"}
        identity = self.tokens.get(token or "")
        if identity is None:
            return {"ok": False, "error": "invalid_auth"}
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        return handler(identity, params)  # type: ignore[no-any-return]

    def _oauth_v2_access(self, basic: str | None, params: dict[str, Any]) -> dict[str, Any]:
        client_id, _, secret = (basic or "").partition(":")
        if (client_id, secret) != (CLIENT_ID, CLIENT_SECRET):
            return {"ok": False, "error": "invalid_client_id"}
        grant = self.oauth_codes.pop(params.get("code", ""), None)
        if grant is None:
            return {"ok": False, "error": "invalid_code"}
        team, bot_token, bot_user, bot_id = grant
        self.tokens[bot_token] = (team, bot_user, bot_id)
        return {
            "ok": True,
            "app_id": "A0CPNI",
            "authed_user": {"id": "UINSTALLER"},
            "scope": "chat:write,pins:write",
            "token_type": "bot",
            "access_token": bot_token,
            "bot_user_id": bot_user,
            "team": {"id": team, "name": f"Team {team}"},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def handle_quietly(self, method: str, token: str | None, params: dict[str, Any]) -> None:
        """Perform a call without recording it (the work behind an ambiguous failure)."""
        with self._lock:
            identity = self.tokens[token or ""]
            getattr(self, "_m_" + method.replace(".", "_"))(identity, params)

    def _m_auth_test(self, identity: tuple[str, str, str], _: dict[str, Any]) -> dict[str, Any]:
        team, user, bot = identity
        return {
            "ok": True,
            "url": "https://fake.slack/",
            "team": "Fake",
            "team_id": team,
            "user": "cpni-guard",
            "user_id": user,
            "bot_id": bot,
        }

    def _post(self, identity: tuple[str, str, str], params: dict[str, Any]) -> dict[str, Any]:
        ts = self._next_ts()
        message = {
            "ts": ts,
            "user": identity[1],
            "bot_id": identity[2],
            "text": params.get("text"),
            "blocks": _json(params.get("blocks")),
            "thread_ts": params.get("thread_ts"),
            "metadata": _json(params.get("metadata")),
        }
        self.messages[(params["channel"], ts)] = message
        return message

    def _m_chat_postMessage(self, identity: Any, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        message = self._post(identity, params)
        return {"ok": True, "channel": params["channel"], "ts": message["ts"], "message": message}

    def _m_chat_update(self, identity: Any, params: dict[str, Any]) -> dict[str, Any]:
        found = self.messages.get((params.get("channel", ""), params.get("ts", "")))
        if found is None:
            return {"ok": False, "error": "message_not_found"}
        if found.get("bot_id") != identity[2]:
            return {"ok": False, "error": "cant_update_message"}
        found.update(text=params.get("text"), blocks=_json(params.get("blocks")))
        if "metadata" in params:
            found["metadata"] = _json(params["metadata"])
        return {"ok": True, "channel": params["channel"], "ts": found["ts"]}

    def _m_chat_postEphemeral(self, identity: Any, params: dict[str, Any]) -> dict[str, Any]:
        members = self.members.get(params.get("channel", ""))
        if members is not None and params.get("user") not in members:
            return {"ok": False, "error": "user_not_in_channel"}
        return {"ok": True, "message_ts": self._next_ts()}

    def _m_pins_add(self, identity: Any, params: dict[str, Any]) -> dict[str, Any]:
        pin = (params.get("channel", ""), params.get("timestamp", ""))
        if pin not in self.messages:
            return {"ok": False, "error": "message_not_found"}
        if pin in self.pins:
            return {"ok": False, "error": "already_pinned"}
        self.pins.add(pin)
        return {"ok": True}

    def _m_views_open(self, identity: Any, params: dict[str, Any]) -> dict[str, Any]:
        issued = self.triggers.pop(params.get("trigger_id", ""), None)
        if issued is None:
            return {"ok": False, "error": "invalid_trigger_id"}
        if time.monotonic() - issued > TRIGGER_SECONDS:
            return {"ok": False, "error": "expired_trigger_id"}
        view_id = f"V{uuid.uuid4().hex[:10].upper()}"
        view = dict(_json(params.get("view")) or {}, id=view_id)
        self.views[view_id] = view
        return {"ok": True, "view": view}

    def _m_views_update(self, identity: Any, params: dict[str, Any]) -> dict[str, Any]:
        view_id = params.get("view_id", "")
        if view_id not in self.views:
            return {"ok": False, "error": "not_found"}
        self.views[view_id] = dict(_json(params.get("view")) or {}, id=view_id)
        return {"ok": True, "view": self.views[view_id]}

    def _m_views_publish(self, identity: Any, params: dict[str, Any]) -> dict[str, Any]:
        view = dict(_json(params.get("view")) or {}, id=f"VH{params.get('user_id')}")
        self.views[view["id"]] = view
        return {"ok": True, "view": view}

    def _m_usergroups_users_list(self, identity: Any, params: dict[str, Any]) -> dict[str, Any]:
        users = self.usergroups.get(params.get("usergroup", ""))
        if users is None:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": list(users)}

    def _m_conversations_replies(self, identity: Any, params: dict[str, Any]) -> dict[str, Any]:
        channel, root = params.get("channel", ""), params.get("ts", "")
        found = [
            {**msg, "metadata": msg.get("metadata")}
            for (ch, ts), msg in sorted(self.messages.items(), key=lambda kv: float(kv[0][1]))
            if ch == channel and (ts == root or msg.get("thread_ts") == root)
        ]
        return {"ok": True, "messages": found}

    def _m_conversations_members(self, identity: Any, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "members": self.members.get(params.get("channel", ""), [])}


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _handler_for(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Silence the default stderr access log."""

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode() if length else ""
            if "json" in (self.headers.get("Content-Type") or ""):
                params = json.loads(raw or "{}")
            else:
                params = dict(parse_qsl(raw))
            query = dict(parse_qsl(self.path.partition("?")[2]))
            self._answer({**query, **params})

        def do_GET(self) -> None:
            query = self.path.partition("?")[2]
            self._answer(dict(parse_qsl(query)))

        def _answer(self, params: dict[str, Any]) -> None:
            auth = self.headers.get("Authorization") or ""
            basic = None
            if auth.startswith("Basic "):
                basic = base64.b64decode(auth.removeprefix("Basic ")).decode()
                auth = ""
            token = auth.removeprefix("Bearer ").strip() or params.pop("token", None)
            method = self.path.rsplit("/", 1)[-1].split("?")[0]
            status, body = fake.handle(method, token, params, basic=basic)
            if status == 500 and fake.post_before_500 and method == "chat.postMessage":
                fake.handle_quietly(method, token, params)
            payload = json.dumps(body).encode()
            self.send_response(status)
            if status == 429 and body.get("retry_after") is not None:
                self.send_header("Retry-After", str(body["retry_after"]))
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


@contextmanager
def serve_fake_slack(fake: FakeSlack | None = None) -> Iterator[FakeSlack]:
    """Run the fake on 127.0.0.1 on a free port; ``fake.url`` is its ``/api/`` base URL."""
    fake = fake or FakeSlack()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(fake))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/api/"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class FakeSocketMode:
    """A Socket Mode WebSocket endpoint: says ``hello``, plays envelopes, records the ACKs.

    Envelopes queued before the app connects are sent right after the ``hello``; later ones at
    once. ``acks`` maps each acknowledged ``envelope_id`` to the response payload (or None).
    """

    url: str = ""
    connections: int = 0
    acks: dict[str, Any] = field(default_factory=dict)
    sent: list[dict[str, Any]] = field(default_factory=list)
    _pending: list[dict[str, Any]] = field(default_factory=list)
    _changed: threading.Condition = field(default_factory=threading.Condition)
    _loop: asyncio.AbstractEventLoop | None = None
    _sockets: list[Any] = field(default_factory=list)

    def send_event(
        self, body: dict[str, Any], *, envelope_id: str | None = None, retry_attempt: int = 0
    ) -> str:
        """Deliver an ``events_api`` envelope carrying ``body``; returns its ``envelope_id``."""
        envelope_id = envelope_id or uuid.uuid4().hex
        envelope = {
            "envelope_id": envelope_id,
            "type": "events_api",
            "payload": body,
            "accepts_response_payload": False,
            "retry_attempt": retry_attempt,
            "retry_reason": "timeout" if retry_attempt else "",
        }
        with self._changed:
            if not self._sockets:
                self._pending.append(envelope)
                return envelope_id
            ws = self._sockets[-1]
        assert self._loop is not None
        asyncio.run_coroutine_threadsafe(self._send(ws, envelope), self._loop).result(5)
        return envelope_id

    def wait_for_ack(self, envelope_id: str, *, timeout: float = 10.0) -> bool:
        """Block until the app acknowledged ``envelope_id`` (False after ``timeout``)."""
        with self._changed:
            return self._changed.wait_for(lambda: envelope_id in self.acks, timeout=timeout)

    def wait_connected(self, *, timeout: float = 10.0) -> bool:
        """Block until a client holds a WebSocket (False after ``timeout``)."""
        with self._changed:
            return self._changed.wait_for(lambda: bool(self._sockets), timeout=timeout)

    async def _send(self, ws: Any, envelope: dict[str, Any]) -> None:
        await ws.send_str(json.dumps(envelope))
        self.sent.append(envelope)

    async def handle(self, request: Any) -> Any:
        """The WebSocket endpoint (aiohttp handler)."""
        from aiohttp import WSMsgType, web  # noqa: PLC0415 (only the socket tests need it)

        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        hello = {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0CPNI"}}
        await ws.send_str(json.dumps(hello))
        with self._changed:
            self.connections += 1
            self._sockets.append(ws)
            pending, self._pending = self._pending, []
            self._changed.notify_all()
        for envelope in pending:
            await self._send(ws, envelope)
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            data = json.loads(msg.data)
            if "envelope_id" in data:
                with self._changed:
                    self.acks[data["envelope_id"]] = data.get("payload")
                    self._changed.notify_all()
        with self._changed:
            self._sockets.remove(ws)
        return ws


@contextmanager
def serve_fake_socket_mode(fake: FakeSlack) -> Iterator[FakeSocketMode]:
    """Run a :class:`FakeSocketMode` on 127.0.0.1 and point ``apps.connections.open`` at it."""
    from aiohttp import web  # noqa: PLC0415

    socket_mode = FakeSocketMode()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    app = web.Application()
    app.router.add_get("/link", socket_mode.handle)
    runner = web.AppRunner(app)

    async def start() -> int:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        return int(runner.addresses[0][1])

    async def stop() -> None:
        for ws in list(socket_mode._sockets):
            await ws.close()
        await runner.cleanup()

    port = asyncio.run_coroutine_threadsafe(start(), loop).result(10)
    socket_mode._loop = loop
    socket_mode.url = fake.socket_url = f"ws://127.0.0.1:{port}/link?ticket=fake"
    try:
        yield socket_mode
    finally:
        asyncio.run_coroutine_threadsafe(stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
