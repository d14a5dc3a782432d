"""``POST /zendesk/webhook``: verify, parse, store in the inbox, then answer.

Order matters (DESIGN "durable inbox"): the signature is checked on the raw body before
anything else (401, nothing stored); then the JSON is parsed (400/422 with a reason that names
no content, logged without the body); then the event is committed to the inbox, deduplicated on
its id, and only then is 200 returned. Zendesk redeliveries get 200 and change nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from bot.container import Container
from bot.worker import enqueue_inbound
from handlers.zendesk.payloads import PayloadError, TicketEvent, parse_payload
from handlers.zendesk.signature import SignatureCheck, check_signature

__all__ = ["MAX_BODY_BYTES", "SIGNATURE_HEADER", "TIMESTAMP_HEADER", "router"]

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Zendesk-Webhook-Signature"
TIMESTAMP_HEADER = "X-Zendesk-Webhook-Signature-Timestamp"
MAX_BODY_BYTES = 1_000_000
SOURCE = "zendesk"


def _error(status: int, reason: str) -> Response:
    return JSONResponse({"error": reason}, status_code=status)


def _store(container: Container, event: TicketEvent) -> bool:
    with container.database.transaction() as session:
        return enqueue_inbound(
            session,
            source=SOURCE,
            external_id=event.event_id,
            kind=event.kind,
            payload=event.to_inbox(),
            now=container.clock(),
        )


def router(container: Container) -> APIRouter:
    """The webhook route for ``container``."""
    api = APIRouter()
    settings = container.config.settings
    max_age = timedelta(seconds=settings.zendesk_webhook_max_age_seconds)

    @api.post("/zendesk/webhook", include_in_schema=False)
    async def webhook(request: Request) -> Response:
        secret = settings.zendesk_webhook_secret
        body = await request.body()
        if secret is None:
            log.warning("zendesk webhook refused: ZENDESK_WEBHOOK_SECRET is not set")
            return _error(401, "webhook signing secret not configured")
        check = check_signature(
            secret.get_secret_value(),
            timestamp=request.headers.get(TIMESTAMP_HEADER),
            signature=request.headers.get(SIGNATURE_HEADER),
            body=body,
            now=container.clock(),
            max_age=max_age,
        )
        if check is not SignatureCheck.OK:
            log.warning("zendesk webhook refused", extra={"reason": check.value})
            return _error(401, "invalid signature")
        if len(body) > MAX_BODY_BYTES:
            return _error(413, "payload too large")
        try:
            parsed = parse_payload(json.loads(body))
        except ValueError as exc:
            reason = str(exc) if isinstance(exc, PayloadError) else "body is not valid JSON"
            status = 422 if isinstance(exc, PayloadError) else 400
            log.warning("zendesk webhook rejected", extra={"reason": reason, "size": len(body)})
            return _error(status, reason)
        if isinstance(parsed, str):
            return JSONResponse({"status": "ignored", "event": parsed})
        fresh = await asyncio.to_thread(_store, container, parsed)
        if fresh:
            container.wake_workers()
        return JSONResponse({"status": "accepted" if fresh else "duplicate"})

    return api
