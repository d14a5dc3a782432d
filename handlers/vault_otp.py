"""Delivers PIN reset codes (outbox effect ``notify.otp``) by SMS or e-mail of record (R14).

The payload carries the code sealed under the pepper (``bot.services._vault_otp``); it is
opened here, just before sending, and never logged. SMS goes through the notifications
channel's Twilio sender, e-mail through its SMTP sender. A channel that is not configured
leaves the code undelivered (logged by channel only): the agent then uses the in-person path.
"""

from __future__ import annotations

import logging
from datetime import datetime
from html import escape
from typing import Any

from bot.container import Container
from bot.domain.notice_text import RenderedNotice
from bot.services._vault_config import load_pepper
from bot.services._vault_otp import OTP_EFFECT, OtpMessage, open_otp_payload
from bot.worker import ClaimedItem
from handlers.notify.email import EmailSender, SmtpConfig
from handlers.notify.sms import SmsSender

__all__ = ["register"]

log = logging.getLogger(__name__)


def _text(message: OtpMessage) -> str:
    return (
        f"Your PIN reset code is {message.code}. It expires at {message.expires_at[:16]} UTC. "
        "If you did not ask for a new PIN, contact us."
    )


def register(container: Container) -> None:
    """Register the ``notify.otp`` effect handler."""
    settings = container.config.settings
    pepper = load_pepper(settings, container.database)

    def handle(item: ClaimedItem) -> dict[str, Any] | None:
        message = open_otp_payload(pepper, item.payload)
        if datetime.fromisoformat(message.expires_at) <= container.clock():
            return {"delivered": False, "why": "expired"}
        if message.channel == "sms" and settings.twilio_account_sid and settings.twilio_from:
            ref = SmsSender.from_settings(settings).send(
                to=message.destination, body=_text(message)
            )
        elif message.channel == "email" and settings.smtp_host:
            body = _text(message)
            notice = RenderedNotice(
                subject="Your PIN reset code", text=body, html=f"<p>{escape(body)}</p>", sms=body
            )
            sender = EmailSender(SmtpConfig.from_settings(settings))
            ref = sender.send(to=message.destination, notice=notice, key=item.idempotency_key)
        else:
            log.warning(
                "no sender configured for PIN reset codes", extra={"channel": message.channel}
            )
            return {"delivered": False, "why": "channel_not_configured"}
        return {"delivered": True, "ref": ref}

    container.registry.on_effect(OTP_EFFECT)(handle)
