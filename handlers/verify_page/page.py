"""``GET/POST /v/{token}``: the customer's self-service PIN page.

Small, accessible (labels, ``role=alert`` messages, large targets), mobile-friendly, and plain
HTML: it works without JavaScript and loads nothing from elsewhere. Every response forbids
caching, framing and referrers, so the one-time token in the URL goes nowhere else. The PIN is
passed to :func:`bot.services.challenges.submit_link_pin` and nowhere else; the token is never
logged (the access log of ``cpni-guard serve`` is off).
"""

from __future__ import annotations

import base64
import hashlib
import html
import logging
from datetime import datetime
from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from bot.container import Container
from bot.domain.verification import (
    LockedOut,
    NewPinRequired,
    NoPinOnFile,
    Rejected,
    UnknownAccount,
    Verified,
)
from bot.services import challenges
from bot.services.challenges import LinkResult, LinkStatus

__all__ = ["SECURITY_HEADERS", "router"]

log = logging.getLogger(__name__)
_MAX_FORM_BYTES = 2048

_STYLE = """
:root{color-scheme:light dark;font-family:system-ui,-apple-system,"Segoe UI",sans-serif}
body{margin:0;padding:1.25rem;display:flex;justify-content:center;line-height:1.5}
main{max-width:26rem;width:100%}
h1{font-size:1.4rem;margin:.5rem 0 1rem}
label{display:block;font-weight:600;margin-bottom:.4rem}
input{font-size:1.5rem;letter-spacing:.3em;padding:.6rem;width:100%;box-sizing:border-box;
border:2px solid #555;border-radius:.4rem}
input:focus,button:focus{outline:3px solid #1a73e8;outline-offset:2px}
button{margin-top:1rem;font-size:1.1rem;padding:.8rem 1.2rem;width:100%;border:0;
border-radius:.4rem;background:#0b57d0;color:#fff;cursor:pointer}
.msg{padding:.8rem 1rem;border-radius:.4rem;margin:1rem 0;border-left:.35rem solid}
.error{background:#fde7e9;color:#5c0011;border-color:#b3261e}
.ok{background:#e6f4ea;color:#0d3b1a;border-color:#188038}
.info{background:#e8f0fe;color:#0b2a5c;border-color:#0b57d0}
.meta{color:inherit;opacity:.85;font-size:.95rem}
"""
_STYLE_HASH = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()

#: Sent with every page: no caching, no framing, no referrer, nothing from elsewhere.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "Cache-Control": "no-store, max-age=0",
    "Pragma": "no-cache",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Robots-Tag": "noindex, nofollow",
}


def _when(moment: datetime | None) -> str:
    return moment.strftime("%H:%M UTC on %d %B %Y") if moment else ""


def _page(title: str, body: str, *, status: int = 200) -> Response:
    document = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>"
    )
    return HTMLResponse(document, status_code=status, headers=SECURITY_HEADERS)


def _message(kind: str, text: str) -> str:
    role = ' role="alert"' if kind == "error" else ' role="status"'
    return f'<p class="msg {kind}" id="msg"{role}>{html.escape(text)}</p>'


def _form(status: LinkStatus, *, error: str | None = None) -> Response:
    parts = [_message("error", error)] if error else []
    parts.append(
        "<p>Enter your account PIN to confirm it is you. Our agent will not see it.</p>"
        '<form method="post" autocomplete="off">'
        '<label for="pin">Account PIN</label>'
        '<input id="pin" name="pin" type="password" inputmode="numeric" pattern="[0-9]*" '
        'minlength="4" maxlength="12" required autofocus '
        f'aria-describedby="attempts{" msg" if error else ""}">'
        '<button type="submit">Verify</button></form>'
        f'<p class="meta" id="attempts">Attempts left: {status.attempts_left}. '
        f"This link expires at {html.escape(_when(status.expires_at))}.</p>"
    )
    return _page("Confirm your PIN", "".join(parts), status=422 if error else 200)


def _closed(status: LinkStatus) -> Response:
    texts = {
        "expired": ("This link has expired", "Ask us for a new link in your conversation."),
        "used": (
            "This link was already used",
            "Your PIN was confirmed with this link. Ask us for a new one if you need it again.",
        ),
        "exhausted": (
            "Too many tries on this link",
            "For your security this link no longer accepts PINs. Ask us for a new link.",
        ),
    }
    title, text = texts.get(
        status.state,
        ("This link is not valid", "Check the link in your message, or ask us for a new one."),
    )
    code = 404 if status.state == "unknown" else 410
    return _page(title, _message("info" if code == 410 else "error", text), status=code)


def _result(result: LinkResult) -> Response:
    outcome = result.outcome
    if isinstance(outcome, Verified):
        return _page(
            "PIN confirmed",
            _message(
                "ok", "Thank you. Your PIN is confirmed; you can go back to your conversation now."
            ),
        )
    if isinstance(outcome, LockedOut):
        until = f" until {_when(outcome.until)}" if outcome.until else ""
        return _page(
            "Account locked",
            _message(
                "error",
                f"Too many wrong PINs. For your security, PIN checks are locked{until}. "
                "Contact us to unlock it.",
            ),
            status=423,
        )
    if isinstance(outcome, NewPinRequired):
        return _page(
            "A new PIN is needed",
            _message(
                "error",
                "We could not confirm your identity with your PIN or your security answer, so "
                "we cannot check it again here. To continue, please contact us to set up a new "
                "PIN: we will send a one-time code to the phone number or address we have on "
                "record, or you can visit a store with a photo ID.",
            ),
            status=403,
        )
    if isinstance(outcome, NoPinOnFile | UnknownAccount):
        return _page(
            "We cannot check a PIN",
            _message("error", "There is no PIN on file for this account. Please contact us."),
            status=409,
        )
    if isinstance(outcome, Rejected) and result.status.state == "valid":
        left = result.status.attempts_left
        return _form(result.status, error=f"That PIN did not match. Attempts left: {left}.")
    return _closed(result.status)


def _read_pin(raw: bytes) -> str | None:
    if len(raw) > _MAX_FORM_BYTES:
        return None
    values = parse_qs(raw.decode("utf-8", "replace"), max_num_fields=4).get("pin", [])
    pin = values[0].strip() if values else ""
    return pin if pin.isdigit() and 4 <= len(pin) <= 12 else None


def router(container: Container) -> APIRouter:
    """The self-service page for ``container``."""
    api = APIRouter()
    policy = container.config.policy.verification

    def inspect(token: str) -> LinkStatus:
        with container.database.transaction() as session:
            return challenges.inspect_link(session, token=token, now=container.clock())

    def submit(token: str, pin: str) -> LinkResult:
        return challenges.submit_link_pin(
            container.database,
            container.vault,
            token=token,
            pin=pin,
            now=container.clock(),
            ttl_minutes=policy.ttl_minutes,
        )

    @api.get("/v/{token}", include_in_schema=False)
    async def show(token: str) -> Response:
        status = await run_in_threadpool(inspect, token[:128])
        return _form(status) if status.state == "valid" else _closed(status)

    @api.post("/v/{token}", include_in_schema=False)
    async def verify(token: str, request: Request) -> Response:
        token = token[:128]
        pin = _read_pin(await request.body())
        if pin is None:
            status = await run_in_threadpool(inspect, token)
            if status.state != "valid":
                return _closed(status)
            return _form(status, error="Enter your PIN using digits only (4 to 12).")
        result = await run_in_threadpool(submit, token, pin)
        log.info(
            "self-service PIN submitted",
            extra={
                "link_state": result.status.state,
                "outcome": getattr(result.outcome, "kind", None),
            },
        )
        return _result(result)

    return api
