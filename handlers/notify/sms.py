"""Text-message notices through Twilio's Messages API (the ``twilio`` package).

``CPNI_TWILIO_API_URL`` replaces ``https://api.twilio.com`` (a regional proxy, or the local fake
the tests run). A 429 or 5xx answer, or no answer, raises :class:`~bot.errors.RetryLaterError`
(with Twilio's ``Retry-After`` when it sends one); any other 4xx (an invalid or opted-out
number) is permanent. Errors name the HTTP status and Twilio's error code, never the number.
"""

from __future__ import annotations

import threading
from typing import Any

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from bot.errors import RetryLaterError
from handlers.notify.email import PermanentDeliveryError

__all__ = ["SmsSender"]


class _HttpClient(TwilioHttpClient):
    """Twilio's HTTP client, remembering each thread's last ``Retry-After``."""

    def __init__(self, *, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.local = threading.local()

    def request(self, *args: Any, **kwargs: Any) -> Any:
        self.local.retry_after = None
        response = super().request(*args, **kwargs)
        self.local.retry_after = (response.headers or {}).get("Retry-After")
        return response

    def retry_after(self) -> float | None:
        raw = getattr(self.local, "retry_after", None)
        try:
            return float(raw) if raw is not None else None
        except ValueError:
            return None


class SmsSender:
    """Sends text messages from one Twilio number.

    Args:
        account_sid: the Twilio account SID.
        auth_token: its auth token.
        from_number: the sending number (E.164) or messaging service SID.
        api_url: a replacement for ``https://api.twilio.com``.
        timeout: seconds per HTTP request.
    """

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        from_number: str,
        api_url: str | None = None,
        timeout: float = 15.0,
    ) -> None:
        self.http = _HttpClient(timeout=timeout)
        self.client = Client(account_sid, auth_token, http_client=self.http)
        if api_url:
            self.client.api.base_url = api_url.rstrip("/")
        self.from_number = from_number

    @classmethod
    def from_settings(cls, settings: Any) -> SmsSender:
        """The Twilio settings (``CPNI_TWILIO_*``)."""
        return cls(
            account_sid=settings.twilio_account_sid,
            auth_token=settings.twilio_auth_token.get_secret_value(),
            from_number=settings.twilio_from,
            api_url=settings.twilio_api_url,
        )

    def send(self, *, to: str, body: str) -> str:
        """Send ``body`` to ``to``; return Twilio's message SID.

        Raises:
            RetryLaterError: Twilio answered 429 or 5xx, or could not be reached.
            PermanentDeliveryError: Twilio refused the message (another 4xx).
        """
        try:
            message = self.client.messages.create(to=to, from_=self.from_number, body=body)
        except TwilioRestException as exc:
            reason = f"twilio {exc.status}" + (f" code {exc.code}" if exc.code else "")
            if exc.status == 429 or exc.status >= 500:
                raise RetryLaterError(reason, retry_after=self.http.retry_after()) from exc
            raise PermanentDeliveryError(reason) from exc
        except (requests.RequestException, TwilioException) as exc:
            raise RetryLaterError(f"twilio unreachable ({type(exc).__name__})") from exc
        return str(message.sid)
