"""The sidebar app in headless Chromium, with a ZAF client test double and a proxy double."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt
import pytest
from fake_zendesk import CHROMIUM_ARGS, FakeZendesk, LiveServer
from fastapi import Request, Response
from fastapi.staticfiles import StaticFiles
from playwright.sync_api import sync_playwright
from zendesk_support import APP_SECRET, PIN, PUBLIC_URL, comment_event, seed_account, signed

from bot.container import Container
from handlers.web import create_app

from fakes import FrozenClock

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
FAKE_SDK = (Path(__file__).parent / "fake_zaf_sdk.js").read_text(encoding="utf-8")
ASK = "Which numbers called me yesterday and how many minutes did I use?"


def _harness(container: Container) -> object:
    """The bot's app plus the sidebar assets and a stand-in for the Zendesk request proxy."""
    app = create_app(container)
    app.mount("/zaf", StaticFiles(directory=ROOT / "zendesk_app" / "assets"), name="zaf")

    @app.post("/__zaf_proxy")
    async def proxy(request: Request) -> Response:
        options = json.loads(await request.body())
        secret = options["jwt"]["secret_key"].replace("{{setting.app_secret}}", APP_SECRET)
        now = int(time.time())
        claims = {
            **options["jwt"]["claims"],
            "iat": now,
            "exp": now + int(options["jwt"]["expiry"]),
        }
        token = jwt.encode(claims, secret, algorithm=options["jwt"]["algorithm"])
        headers = {k: v.replace("{{jwt.token}}", token) for k, v in options["headers"].items()}
        headers["Content-Type"] = options["contentType"]
        url = options["url"].replace(PUBLIC_URL, str(request.base_url).rstrip("/"), 1)
        async with httpx.AsyncClient() as client:
            answer = await client.request(
                options["type"], url, content=options["data"], headers=headers
            )
        return Response(
            answer.content, status_code=answer.status_code, media_type="application/json"
        )

    return app


@pytest.fixture
def browser() -> Iterator[object]:
    """Debian's Chromium, driven by Playwright (never downloads a browser)."""
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _locked_ticket(
    zd: FakeZendesk, container: Container, clock: FrozenClock, base: str, *, number: str, phone: str
) -> int:
    seed_account(container, number=number, email=None, phone=phone, now=clock.now)
    requester = zd.add_user(phone=phone)
    ticket = zd.add_ticket(requester_id=requester, channel="voice")
    comment = zd.add_comment(ticket, ASK, author_id=requester, channel="voice")
    request = signed(
        comment_event(ticket, comment, ASK, author_id=requester, channel="voice"), at=clock.now
    )
    assert (
        httpx.post(
            f"{base}/zendesk/webhook", content=request.body, headers=request.headers
        ).status_code
        == 200
    )
    container.new_worker().run_until_idle()
    return ticket


def _open(browser: object, base: str, ticket: int, agent: int) -> object:
    page = browser.new_page(viewport={"width": 340, "height": 900})  # type: ignore[attr-defined]
    page.route(
        "https://static.zdassets.com/**",
        lambda route: route.fulfill(body=FAKE_SDK, content_type="application/javascript"),
    )
    page.goto(
        f"{base}/zaf/iframe.html?ticket={ticket}&user={agent}&subdomain=acme&backend={PUBLIC_URL}"
    )
    return page


def test_sidebar_lock_refusal_pin_errors_and_verification(
    browser: object, zd: FakeZendesk, container: Container, clock: FrozenClock
) -> None:
    """The sidebar shows the lock and why, refuses a public reply on save (not a note), reports a
    wrong PIN with attempts left, and turns green once the caller's PIN is verified (R6)."""
    ARTIFACTS.mkdir(exist_ok=True)
    agent = zd.add_user(role="agent")
    with LiveServer(_harness(container)) as base:
        ticket = _locked_ticket(zd, container, clock, base, number="ACC-1001", phone="+14155550123")
        page = _open(browser, base, ticket, agent)
        banner = page.locator("#banner")
        page.wait_for_function("document.getElementById('banner').dataset.state === 'locked'")
        assert "PIN required" in banner.inner_text()
        assert "call_detail" in page.locator("#categories").inner_text()
        assert page.locator("#account").inner_text() == "ACC-1001"
        assert page.locator("#lock-ticket").is_hidden()
        page.screenshot(path=str(ARTIFACTS / "sidebar-locked.png"))

        page.evaluate(
            "window.__fakeZaf.values['comment.text'] = 'You called 555-0100 for 14 minutes'"
        )
        assert page.evaluate("window.__fakeZaf.save()").startswith("refused: CPNI Guard")
        assert "Public replies are blocked" in page.locator("#message").inner_text()
        page.screenshot(path=str(ARTIFACTS / "sidebar-save-refused.png"))
        page.evaluate("window.__fakeZaf.values['comment.type'] = 'internalNote'")
        assert page.evaluate("window.__fakeZaf.save()") == "allowed"

        page.fill("#pin-input", "000111")
        page.click("#pin-form button")
        page.wait_for_function(
            "document.getElementById('message').textContent.includes('Wrong PIN')"
        )
        assert "Attempts left" in page.locator("#message").inner_text()
        page.screenshot(path=str(ARTIFACTS / "sidebar-wrong-pin.png"))

        page.fill("#pin-input", PIN)
        page.click("#pin-form button")
        page.wait_for_function("document.getElementById('banner').dataset.state === 'verified'")
        assert f"zendesk-agent:{agent}" in banner.inner_text()
        assert page.locator("#history li").count() >= 3
        assert page.locator("#lock-ticket").is_visible()
        page.evaluate("window.__fakeZaf.values['comment.type'] = 'publicReply'")
        assert page.evaluate("window.__fakeZaf.save()") == "allowed"
        page.screenshot(path=str(ARTIFACTS / "sidebar-verified.png"))
        assert page.locator("#pin-input").input_value() == ""


def test_sidebar_shows_lockout(
    browser: object, zd: FakeZendesk, container: Container, clock: FrozenClock
) -> None:
    """Repeated wrong PINs lock the account out and the sidebar says so plainly (R16)."""
    ARTIFACTS.mkdir(exist_ok=True)
    agent = zd.add_user(role="agent")
    with LiveServer(_harness(container)) as base:
        ticket = _locked_ticket(zd, container, clock, base, number="ACC-2002", phone="+14155550199")
        page = _open(browser, base, ticket, agent)
        page.wait_for_function("document.getElementById('banner').dataset.state === 'locked'")
        for _ in range(10):
            page.evaluate("document.getElementById('message').textContent = ''")
            page.fill("#pin-input", "135799")
            page.click("#pin-form button")
            page.wait_for_function("document.getElementById('message').textContent.length > 0")
            if "Too many" in page.locator("#message").inner_text():
                break
        page.wait_for_function("document.getElementById('banner').dataset.state === 'locked_out'")
        assert "locked out" in page.locator("#banner").inner_text()
        assert "Too many wrong PINs" in page.locator("#message").inner_text()
        page.screenshot(path=str(ARTIFACTS / "sidebar-lockout.png"))


def test_sidebar_manual_lock_of_a_missed_ticket(
    browser: object, zd: FakeZendesk, container: Container, clock: FrozenClock
) -> None:
    """An agent locks a ticket the detector did not flag with "Lock: PIN required"; the sidebar
    turns locked and the save hook then refuses a public reply (R6)."""
    ARTIFACTS.mkdir(exist_ok=True)
    agent = zd.add_user(role="agent")
    seed_account(container, number="ACC-3003", email=None, phone="+14155550142", now=clock.now)
    ticket = zd.add_ticket(requester_id=zd.add_user(phone="+14155550142"), channel="voice")
    label = json.loads((ROOT / "zendesk_app" / "translations" / "en.json").read_text("utf-8"))[
        "sidebar"
    ]["lock_button"]
    with LiveServer(_harness(container)) as base:
        page = _open(browser, base, ticket, agent)
        page.wait_for_function("document.getElementById('banner').dataset.state === 'open'")
        page.evaluate("window.__fakeZaf.values['comment.text'] = 'You called 555-0100 twice'")
        assert page.evaluate("window.__fakeZaf.save()") == "allowed"
        button = page.locator("#lock-ticket")
        assert button.is_visible()
        assert button.inner_text() == label

        button.click()
        page.wait_for_function("document.getElementById('banner').dataset.state === 'locked'")
        assert "PIN required" in page.locator("#banner").inner_text()
        assert "Ticket locked" in page.locator("#message").inner_text()
        assert button.is_hidden()
        assert f"zendesk-agent:{agent}" in page.locator("#history").inner_text()
        page.screenshot(path=str(ARTIFACTS / "sidebar-manual-lock.png"))
        assert page.evaluate("window.__fakeZaf.save()").startswith("refused: CPNI Guard")
    container.new_worker().run_until_idle()
    assert "cpni_locked" in zd.state.tickets[ticket]["tags"]
