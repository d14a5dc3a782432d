"""Real local servers and directory helpers for the notice tests.

* :class:`SmtpSink`: a real SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message; it
  can be started late, to play an SMTP server that is down for a while.
* :class:`FakeTwilio`: Twilio's Messages endpoint over real HTTP, with Basic auth checked and
  scripted failures (429 with Retry-After, 500, 400 with a Twilio error code).
"""

from __future__ import annotations

import base64
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from aiosmtpd.controller import Controller

import handlers.notify
from bot.config import load_config
from bot.container import Container, build_container
from bot.storage.accounts import Account, EmailAddress, PhoneNumber, PostalAddress
from bot.storage.db import Database

REPORT_CONTACT = "1-800-555-0199"
TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "twilio-test-token-value"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class _Collector:
    messages: list[tuple[list[str], bytes]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 OK"


class SmtpSink:
    """A real SMTP server collecting what it receives."""

    def __init__(self, port: int | None = None, **smtp_kwargs: Any) -> None:
        self.port = port or free_port()
        self.collector = _Collector()
        self.controller = Controller(
            self.collector, hostname="127.0.0.1", port=self.port, **smtp_kwargs
        )
        self.running = False

    def start(self) -> None:
        self.controller.start()
        self.running = True

    def stop(self) -> None:
        if self.running:
            self.controller.stop()
            self.running = False

    @property
    def messages(self) -> list[tuple[list[str], EmailMessage]]:
        """(recipients, parsed message) for each mail received."""
        return [
            (rcpt, message_from_bytes(raw, policy=policy.default))  # type: ignore[misc]
            for rcpt, raw in self.collector.messages
        ]


def bodies(message: EmailMessage) -> str:
    """The subject, plain-text and HTML parts of a received mail, as one string."""
    parts = [str(message["Subject"])]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    return "\n".join(parts)


def running_smtp_sink() -> Iterator[SmtpSink]:
    """A running SMTP sink, stopped afterwards (the body of a test module's fixture)."""
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


class FakeTwilio:
    """Twilio's ``POST /2010-04-01/Accounts/{sid}/Messages.json`` on a local port."""

    def __init__(self) -> None:
        self.messages: list[dict[str, str]] = []
        self.script: list[tuple[int, dict[str, str], dict[str, Any]]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                expected = base64.b64encode(f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode()
                path_ok = self.path == f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
                if self.headers.get("Authorization") != f"Basic {expected}" or not path_ok:
                    return self._send(401, {}, {"code": 20003, "message": "Authenticate"})
                if fake.script:
                    return self._send(*fake.script.pop(0))
                fake.messages.append(form)
                sid = f"SM{len(fake.messages):032d}"
                return self._send(201, {}, {"sid": sid, "status": "queued", **form})

            def _send(self, status: int, headers: dict[str, str], body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def running_fake_twilio() -> Iterator[FakeTwilio]:
    """A running fake of Twilio's Messages endpoint, closed afterwards."""
    fake = FakeTwilio()
    yield fake
    fake.close()


def make_container(
    database: Database,
    clock: Any,
    *,
    smtp: SmtpSink | None = None,
    twilio: FakeTwilio | None = None,
    **extra: str,
) -> Container:
    """A container on ``database`` with the notify handlers, SMTP/Twilio pointing at fakes."""
    env = {
        "CPNI_DATABASE_URL": database.url.render_as_string(hide_password=False),
        "CPNI_NOTICE_REPORT_CONTACT": REPORT_CONTACT,
        "CPNI_WORKER_MAX_ATTEMPTS": "5",
    }
    if smtp is not None:
        env |= {
            "CPNI_SMTP_HOST": "127.0.0.1",
            "CPNI_SMTP_PORT": str(smtp.port),
            "CPNI_SMTP_SECURITY": "none",
            "CPNI_SMTP_SENDER": "notices@telco.example",
        }
    if twilio is not None:
        env |= {
            "CPNI_TWILIO_ACCOUNT_SID": TWILIO_SID,
            "CPNI_TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "CPNI_TWILIO_FROM": "+15005550006",
            "CPNI_TWILIO_API_URL": twilio.url,
        }
    env |= extra
    container = build_container(load_config(env, env_file=None), clock=clock, plugins=False)
    container.database.dispose()
    container.database = database
    handlers.notify.register(container)
    return container


def seed_account(
    database: Database,
    number: str,
    *,
    now: datetime,
    service_start: date | None = None,
    emails: tuple[tuple[str, int], ...] = (),
    phones: tuple[tuple[str, str, int], ...] = (),
    postal: tuple[tuple[str, str, int], ...] = (),
    name: str = "Pat Customer",
) -> int:
    """Add an account with contacts ``(value, [kind,] days on file)``; return its id."""
    with database.transaction() as session:
        account = Account(
            account_number=number,
            name=name,
            service_start=service_start,
            created_at=now,
            updated_at=now,
        )
        session.add(account)
        for address, days in emails:
            since = now - timedelta(days=days)
            account.emails.append(EmailAddress(address=address, associated_since=since))
        for e164, kind, days in phones:
            since = now - timedelta(days=days)
            account.phones.append(PhoneNumber(e164=e164, kind=kind, associated_since=since))
        for line1, postal_code, days in postal:
            account.addresses.append(
                PostalAddress(
                    kind="mailing",
                    line1=line1,
                    city="Springfield",
                    region="IL",
                    postal_code=postal_code,
                    country="US",
                    associated_since=now - timedelta(days=days),
                )
            )
        session.flush()
        return account.id


def retire(database: Database, model: Any, value_field: str, value: str, at: datetime) -> None:
    """Mark the contact whose ``value_field`` is ``value`` retired at ``at``."""
    with database.transaction() as session:
        row = session.query(model).filter(getattr(model, value_field) == value).one()
        row.retired_at = at
