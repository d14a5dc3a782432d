"""A local fake of Slack's chat.postMessage and a real SMTP server for the alert tests."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class FakeSlack:
    """Records chat.postMessage calls; answers 429 with Retry-After while ``throttle`` > 0."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.raw: list[str] = []
        self.throttle = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length).decode()
                fake.raw.append(body)
                if fake.throttle > 0:
                    fake.throttle -= 1
                    self._answer(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "7"})
                    return
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    args = json.loads(body)
                else:
                    args = {k: v[0] for k, v in parse_qs(body).items()}
                if not self.path.endswith("/chat.postMessage"):
                    self._answer(404, {"ok": False, "error": "unknown_method"})
                    return
                fake.posts.append(args)
                self._answer(200, {"ok": True, "channel": args["channel"], "ts": "1.000100"})

            def _answer(
                self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/"

    @contextmanager
    def running(self) -> Iterator[FakeSlack]:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


def _accept_bot(
    server: object, session: object, envelope: object, mechanism: str, auth_data: Any
) -> AuthResult:
    """Accept the bot's login only (checks that the sender really authenticates)."""
    return AuthResult(success=getattr(auth_data, "login", b"") == b"bot")


@contextmanager
def smtp_server() -> Iterator[tuple[int, list[bytes]]]:
    """A real SMTP server (aiosmtpd) on a free 127.0.0.1 port; yields (port, messages)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=_accept_bot,
        auth_require_tls=False,  # plain local test server; production uses STARTTLS
    )
    controller.start()
    try:
        yield port, inbox.messages
    finally:
        controller.stop()
