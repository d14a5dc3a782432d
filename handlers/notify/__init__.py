"""Notice channels: email (SMTP) and SMS (Twilio), as outbox effects ``notify.email``/``.sms``.

:func:`register` checks the templates once at start-up and registers one handler per channel.
Each handler claims its delivery (nothing if already sent or superseded), renders the notice
from its facts, sends it outside any transaction, and records the outcome, so a retried effect
never sends twice. A channel whose settings are missing hands its notices to staff rather than
failing them. Letters are exported by ``cpni-guard notices letters`` (see docs/notifications.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from bot.container import Container
from bot.domain.notice_text import RenderedNotice, render_notice
from bot.domain.notifications import Channel, NoticeReason
from bot.errors import ConfigurationError, RetryLaterError
from bot.services.notice_delivery import (
    DeliveryJob,
    claim_delivery,
    hand_to_staff,
    record_failure,
    record_sent,
)
from bot.worker import ClaimedItem, OutboxHandler
from handlers.notify.email import EmailSender, PermanentDeliveryError, SmtpConfig
from handlers.notify.sms import SmsSender
from handlers.notify.templates import TemplateStore

__all__ = ["Send", "make_handler", "register"]

log = logging.getLogger(__name__)

#: Sends one rendered notice for a delivery job; returns the provider's id for it.
Send = Callable[[DeliveryJob, RenderedNotice], str]


def _claim(container: Container, channel: Channel, *, notice_id: int, seq: int, send: Any) -> Any:
    now = container.clock()
    with container.database.transaction() as session:
        if send is None:
            reason = NoticeReason.CHANNEL_NOT_CONFIGURED
            hand_to_staff(session, notice_id=notice_id, seq=seq, reason=reason, now=now)
            return None, "channel_not_configured"
        job, why = claim_delivery(session, notice_id=notice_id, seq=seq, channel=channel)
        if why == "destination_gone":
            reason = NoticeReason.NO_CONTACT_OF_RECORD
            hand_to_staff(session, notice_id=notice_id, seq=seq, reason=reason, now=now)
        return job, why


def make_handler(
    container: Container,
    channel: Channel,
    send: Send | None,
    *,
    templates: TemplateStore,
    report_contact: str,
) -> OutboxHandler:
    """The outbox handler that delivers notices on ``channel`` with ``send``.

    Args:
        container: the application (database, clock, settings).
        channel: email or SMS.
        send: the channel's sender, or None when the channel is not configured.
        templates: where the notice templates come from.
        report_contact: how customers report an unauthorised change.
    """
    max_attempts = container.config.settings.worker_max_attempts

    def handle(item: ClaimedItem) -> dict[str, Any] | None:
        notice_id, seq = int(item.payload["notice_id"]), int(item.payload["seq"])
        job, why = _claim(container, channel, notice_id=notice_id, seq=seq, send=send)
        if job is None or send is None:
            return {"delivered": False, "why": why}
        facts = job.facts
        rendered = render_notice(
            facts,
            templates=templates.for_notice(facts.locale, str(facts.kind)),
            report_contact=report_contact,
        )
        try:
            ref = send(job, rendered)
        except (PermanentDeliveryError, RetryLaterError) as exc:
            final = isinstance(exc, PermanentDeliveryError) or item.attempts >= max_attempts
            with container.database.transaction() as session:
                record_failure(session, job, error=str(exc), final=final, now=container.clock())
            if isinstance(exc, RetryLaterError):
                raise
            return {"delivered": False, "why": str(exc)}
        with container.database.transaction() as session:
            record_sent(session, job, provider_ref=ref, now=container.clock())
        log.info("notice sent", extra={"notice_id": job.notice_id, "channel": str(channel)})
        return {"delivered": True, "ref": ref}

    return handle


def _email_sender(settings: Any) -> Send | None:
    if not settings.smtp_host:
        return None
    sender = EmailSender(SmtpConfig.from_settings(settings))

    def send(job: DeliveryJob, notice: RenderedNotice) -> str:
        return sender.send(to=job.address, notice=notice, key=job.key)

    return send


def _sms_sender(settings: Any) -> Send | None:
    if not (settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_from):
        return None
    twilio = SmsSender.from_settings(settings)

    def send(job: DeliveryJob, notice: RenderedNotice) -> str:
        return twilio.send(to=job.address, body=notice.sms)

    return send


def register(container: Container) -> None:
    """Register the ``notify.email`` and ``notify.sms`` effect handlers.

    Raises:
        ConfigurationError: the notice templates have problems (each one listed).
    """
    settings = container.config.settings
    templates = TemplateStore(settings.notice_templates_dir)
    problems = templates.problems()
    if problems:
        raise ConfigurationError(problems)
    report_contact = settings.notice_report_contact or ""
    senders = {Channel.EMAIL: _email_sender(settings), Channel.SMS: _sms_sender(settings)}
    for channel, send in senders.items():
        handler = make_handler(
            container, channel, send, templates=templates, report_contact=report_contact
        )
        container.registry.on_effect(f"notify.{channel}")(handler)
