"""``HEAD``/``POST /sonar/webhook/{secret}``: Sonar's unsigned change webhooks.

Sonar does not sign webhooks (``sonar-notes.md`` section 3), so the path carries a long random
secret, compared in constant time; a wrong secret, or a source address outside the optional
allow-list, gets 404 and nothing is stored. The payload is never trusted: only the event name,
the object id and a few account-id hints are kept (no contact data), committed to the inbox
under a dedupe key (so Sonar's minute-by-minute redeliveries change nothing), and 200 is
returned at once. The worker re-reads the object from Sonar (``handlers.sonar.worker``).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import json
import logging
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from bot.container import Container
from bot.worker import enqueue_inbound

__all__ = ["MAX_BODY_BYTES", "SOURCE", "parse_event", "router"]

log = logging.getLogger(__name__)
SOURCE = "sonar"
MAX_BODY_BYTES = 256_000
_HINT_KEYS = ("account_id", "contactable_id", "addressable_id")
_MODELS = (("phone", "phone_number"), ("address", "address"), ("contact", "contact"))


def _model(event: str) -> str | None:
    lowered = event.lower()
    for needle, model in _MODELS:
        if needle in lowered:
            return model
    return "account" if "account" in lowered else None


def _digits(value: Any) -> str | None:
    text = str(value) if isinstance(value, int | str) else ""
    return text if text.isdigit() and len(text) <= 20 else None


def parse_event(body: bytes) -> dict[str, Any] | str:
    """The inbox payload for a webhook body, or why it is not one (a reason, no content).

    Returns:
        ``{"key", "event", "model", "object_id", "hints"}``, or an error reason.
    """
    try:
        raw = json.loads(body)
    except ValueError:
        return "body is not valid JSON"
    if not isinstance(raw, dict) or not isinstance(raw.get("event"), str):
        return "expected a JSON object with an 'event'"
    object_id = _digits(raw.get("object_id"))
    if object_id is None:
        return "'object_id' must be a numeric id"
    event = raw["event"][:64]
    current = raw.get("current") if isinstance(raw.get("current"), dict) else {}
    hints = [h for k in _HINT_KEYS if (h := _digits(current.get(k))) is not None]
    version = current.get("_version") or current.get("updated_at")
    marker = str(version)[:40] if version else hashlib.sha256(body).hexdigest()[:32]
    return {
        "key": f"{event}:{object_id}:{marker}",
        "event": event,
        "model": _model(event),
        "object_id": object_id,
        "hints": hints,
    }


def _allowed(networks: list[Any], host: str | None) -> bool:
    if not networks:
        return True
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:
        return False
    return any(address in network for network in networks)


def _store(container: Container, event: dict[str, Any]) -> bool:
    with container.database.transaction() as session:
        return enqueue_inbound(
            session,
            source=SOURCE,
            external_id=event["key"],
            kind="webhook",
            payload={k: v for k, v in event.items() if k != "key"},
            now=container.clock(),
        )


def router(container: Container) -> APIRouter:
    """The Sonar webhook route for ``container``."""
    api = APIRouter()
    settings = container.config.settings
    secret = settings.sonar_webhook_secret
    expected = secret.get_secret_value().encode() if secret is not None else None
    networks = [
        ipaddress.ip_network(part.strip(), strict=False)
        for part in (settings.sonar_webhook_allow_ips or "").split(",")
        if part.strip()
    ]

    def admitted(request: Request, given: str) -> bool:
        if expected is None or not hmac.compare_digest(given.encode(), expected):
            log.warning("sonar webhook refused: wrong path secret")
            return False
        if not _allowed(networks, request.client.host if request.client else None):
            log.warning("sonar webhook refused: source address not allowed")
            return False
        return True

    @api.head("/sonar/webhook/{secret}", include_in_schema=False)
    async def probe(request: Request, secret: str) -> Response:
        return Response(status_code=200 if admitted(request, secret) else 404)

    @api.post("/sonar/webhook/{secret}", include_in_schema=False)
    async def webhook(request: Request, secret: str) -> Response:
        if not admitted(request, secret):
            return Response(status_code=404)
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return JSONResponse({"error": "payload too large"}, status_code=413)
        event = parse_event(body)
        if isinstance(event, str):
            log.warning("sonar webhook rejected", extra={"reason": event, "size": len(body)})
            return JSONResponse({"error": event}, status_code=400)
        if event["model"] is None:
            return JSONResponse({"status": "ignored"})
        fresh = await asyncio.to_thread(_store, container, event)
        if fresh:
            container.wake_workers()
        return JSONResponse({"status": "accepted" if fresh else "duplicate"})

    return api
