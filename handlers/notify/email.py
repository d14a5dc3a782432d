"""Email notices over SMTP (``smtplib``): plain text with an HTML alternative.

``CPNI_SMTP_SECURITY`` is ``starttls`` (default, port 587), ``tls`` (implicit TLS, port 465) or
``none`` (port 25; only for a relay on a trusted network). Certificates are verified with the
system's trust store. The Message-ID is derived from the notice and its delivery number, so a
receiving system can tell a repeat from a new notice.

Failures are sorted: a server that cannot be reached, a 4xx reply, or an authentication error
raises :class:`~bot.errors.RetryLaterError` (the worker retries); a 5xx refusal of the
recipient or of the message raises :class:`PermanentDeliveryError`. Error messages carry the
SMTP code only, never the address or the server's text (which often quotes the address).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

from pydantic import SecretStr

from bot.domain.notice_text import RenderedNotice
from bot.errors import IntegrationError, RetryLaterError

__all__ = ["EmailSender", "PermanentDeliveryError", "SmtpConfig"]

_DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}


class PermanentDeliveryError(IntegrationError):
    """The provider refused the notice for good (bad address, rejected content)."""


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    """Where and how to submit mail."""

    host: str
    sender: str
    port: int | None = None
    security: str = "starttls"
    username: str | None = None
    password: SecretStr | None = None
    timeout: float = 15.0

    @classmethod
    def from_settings(cls, settings: Any) -> SmtpConfig:
        """The SMTP settings (``CPNI_SMTP_*``)."""
        return cls(
            host=settings.smtp_host,
            sender=settings.smtp_sender,
            port=settings.smtp_port,
            security=settings.smtp_security,
            username=settings.smtp_username,
            password=settings.smtp_password,
        )


class EmailSender:
    """Sends one notice per SMTP session.

    Args:
        config: the server and credentials.
        ssl_context: the TLS context (default: the system trust store, verified).
    """

    def __init__(self, config: SmtpConfig, *, ssl_context: ssl.SSLContext | None = None) -> None:
        self.config = config
        self.context = ssl_context or ssl.create_default_context()

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        port = c.port or _DEFAULT_PORTS[c.security]
        if c.security == "tls":
            return smtplib.SMTP_SSL(c.host, port, timeout=c.timeout, context=self.context)
        smtp = smtplib.SMTP(c.host, port, timeout=c.timeout)
        if c.security == "starttls":
            smtp.starttls(context=self.context)
        return smtp

    def build(self, *, to: str, notice: RenderedNotice, key: str) -> EmailMessage:
        """The message for one notice delivery."""
        domain = self.config.sender.rpartition("@")[2] or "localhost"
        message = EmailMessage()
        message["From"] = self.config.sender
        message["To"] = to
        message["Subject"] = notice.subject
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = f"<{key}@{domain}>"
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(notice.text)
        message.add_alternative(notice.html, subtype="html")
        return message

    def send(self, *, to: str, notice: RenderedNotice, key: str) -> str:
        """Send the notice to ``to``; return its Message-ID.

        Raises:
            RetryLaterError: the server is unreachable or answered 4xx, or login failed.
            PermanentDeliveryError: the server refused the recipient or message with 5xx.
        """
        message = self.build(to=to, notice=notice, key=key)
        try:
            with self._connect() as smtp:
                if self.config.username and self.config.password:
                    smtp.login(self.config.username, self.config.password.get_secret_value())
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = sorted({code for code, _ in exc.recipients.values()})
            if all(500 <= code < 600 for code in codes):
                raise PermanentDeliveryError(f"smtp recipient refused ({codes[0]})") from exc
            raise RetryLaterError(f"smtp recipient deferred ({codes[0]})") from exc
        except smtplib.SMTPDataError as exc:
            if 500 <= exc.smtp_code < 600:
                raise PermanentDeliveryError(f"smtp message refused ({exc.smtp_code})") from exc
            raise RetryLaterError(f"smtp message deferred ({exc.smtp_code})") from exc
        except smtplib.SMTPResponseException as exc:
            raise RetryLaterError(f"smtp error ({exc.smtp_code})") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise RetryLaterError(f"smtp unavailable ({type(exc).__name__})") from exc
        return str(message["Message-ID"])
