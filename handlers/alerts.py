"""Incident alerts: the incident rules' inbox handler and the Slack and email alert effects.

* Inbox ``audit/incident_check`` (left by :func:`bot.storage.audit_log.append` for each
  incident-relevant audit event): runs :func:`bot.services.incidents.check_event` inside the
  worker's transaction, which opens or joins an incident and enqueues its alerts.
* Outbox ``alert.slack``: posts to ``CPNI_ALERT_SLACK_CHANNEL`` with ``slack_sdk.WebClient``.
* Outbox ``alert.email``: mails ``CPNI_ALERT_EMAIL`` with the notices' SMTP sender
  (``handlers/notify/email.py``, ``CPNI_SMTP_*`` settings).

An alert names the incident, its kind, account and thread, and the command to open it; never a
message body, PIN or token. 429 and 5xx answers are retried (``Retry-After`` honoured).
"""

from __future__ import annotations

import html
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.container import Container
from bot.domain.notice_text import RenderedNotice
from bot.errors import IntegrationError, RetryLaterError
from bot.worker import ClaimedItem
from handlers.notify.email import EmailSender, SmtpConfig

__all__ = ["alert_text", "register"]


def alert_text(payload: dict[str, Any]) -> str:
    """The alert's plain text, from the effect payload (ids and kinds only)."""
    lines = [
        f"CPNI incident #{payload['incident_id']} opened: {payload['kind']}",
        str(payload["summary"]),
    ]
    if payload.get("account_number"):
        lines.append(f"Account: {payload['account_number']}")
    if payload.get("conversation_key"):
        lines.append(f"Thread: {payload['conversation_key']}")
    lines.append(f"Opened: {payload['opened_at']}")
    lines.append(f"Review: cpni-guard incidents show {payload['incident_id']}")
    return "\n".join(lines)


def _post_slack(settings: Settings, item: ClaimedItem) -> dict[str, Any]:
    if settings.slack_bot_token is None:
        raise IntegrationError("alert.slack: SLACK_BOT_TOKEN is not set")
    client = WebClient(
        token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url
    )
    try:
        response = client.chat_postMessage(
            channel=item.payload["channel"], text=alert_text(item.payload), unfurl_links=False
        )
    except SlackApiError as exc:
        status = exc.response.status_code
        if status == 429 or status >= 500:
            retry_after = exc.response.headers.get("Retry-After")
            raise RetryLaterError(
                f"slack chat.postMessage answered {status}",
                retry_after=float(retry_after) if retry_after else None,
            ) from exc
        raise IntegrationError(
            f"slack chat.postMessage failed: {exc.response.get('error')}"
        ) from exc
    return {"channel": response.get("channel"), "ts": response.get("ts")}


def _send_email(settings: Settings, item: ClaimedItem) -> dict[str, Any]:
    if not settings.smtp_host or not settings.smtp_sender:
        raise IntegrationError("alert.email: CPNI_SMTP_HOST and CPNI_SMTP_SENDER are not set")
    body = alert_text(item.payload)
    notice = RenderedNotice(
        subject=f"[cpni-guard] incident #{item.payload['incident_id']}: {item.payload['kind']}",
        text=body,
        html=f"<pre>{html.escape(body)}</pre>",
        sms="",
    )
    # The notices' sender (handlers/notify): same SMTP settings, retry sorting and a
    # Message-ID derived from the effect's key, so a retried delivery is recognisably the same.
    sender = EmailSender(SmtpConfig.from_settings(settings))
    message_id = sender.send(
        to=item.payload["to"], notice=notice, key=item.idempotency_key.replace(":", ".")
    )
    return {"to": item.payload["to"], "message_id": message_id}


def register(container: Container) -> None:
    """Register the two alert effects (the incident check itself is core: bot.container)."""
    settings = container.config.settings
    registry = container.registry
    registry.on_effect("alert.slack")(lambda item: _post_slack(settings, item))
    registry.on_effect("alert.email")(lambda item: _send_email(settings, item))
