"""The self-service page in headless Chromium, with JavaScript off: form, errors, states."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_zendesk import CHROMIUM_ARGS, LiveServer
from playwright.sync_api import sync_playwright
from verify_support import PIN, expire, locked_thread_with_link

from bot.container import Container
from handlers.web import create_app

from fakes import FrozenClock

pytestmark = pytest.mark.slow
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture
def page() -> Iterator[object]:
    """A phone-sized page in Debian's Chromium with JavaScript disabled."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(
            java_script_enabled=False, viewport={"width": 390, "height": 760}
        )
        yield context.new_page()
        browser.close()


def test_pin_form_errors_and_success_without_javascript(page: object, container: Container) -> None:
    """The form works with JavaScript off: a wrong PIN shows attempts left, the right one
    confirms, and the used link says so."""
    ARTIFACTS.mkdir(exist_ok=True)
    token = locked_thread_with_link(container)
    with LiveServer(create_app(container)) as base:
        page.goto(f"{base}/v/{token}")  # type: ignore[attr-defined]
        assert page.locator("label[for=pin]").inner_text() == "Account PIN"  # type: ignore[attr-defined]
        assert "Attempts left: 5" in page.inner_text("main")  # type: ignore[attr-defined]
        page.screenshot(path=str(ARTIFACTS / "verify-form.png"))  # type: ignore[attr-defined]
        page.fill("#pin", "111222")  # type: ignore[attr-defined]
        page.click("button[type=submit]")  # type: ignore[attr-defined]
        assert "did not match" in page.inner_text("#msg") and "Attempts left: 4" in page.inner_text(
            "main"
        )  # type: ignore[attr-defined]
        page.screenshot(path=str(ARTIFACTS / "verify-wrong-pin.png"))  # type: ignore[attr-defined]
        page.fill("#pin", PIN)  # type: ignore[attr-defined]
        page.click("button[type=submit]")  # type: ignore[attr-defined]
        assert "PIN confirmed" in page.inner_text("h1")  # type: ignore[attr-defined]
        page.screenshot(path=str(ARTIFACTS / "verify-success.png"))  # type: ignore[attr-defined]
        page.goto(f"{base}/v/{token}")  # type: ignore[attr-defined]
        assert "already used" in page.inner_text("h1")  # type: ignore[attr-defined]
        page.screenshot(path=str(ARTIFACTS / "verify-used.png"))  # type: ignore[attr-defined]


def test_lockout_and_expiry_are_plain(
    page: object, container: Container, clock: FrozenClock
) -> None:
    """Too many wrong PINs show the lockout; an old link shows that it expired."""
    ARTIFACTS.mkdir(exist_ok=True)
    token = locked_thread_with_link(container, number="ACC-8")
    with LiveServer(create_app(container)) as base:
        page.goto(f"{base}/v/{token}")  # type: ignore[attr-defined]
        for _ in range(5):
            if page.locator("#pin").count() == 0:  # type: ignore[attr-defined]
                break
            page.fill("#pin", "135799")  # type: ignore[attr-defined]
            page.click("button[type=submit]")  # type: ignore[attr-defined]
        text = page.inner_text("main")  # type: ignore[attr-defined]
        assert "Too many" in text or "locked" in text
        page.screenshot(path=str(ARTIFACTS / "verify-lockout.png"))  # type: ignore[attr-defined]
        other = locked_thread_with_link(container, number="ACC-9", key="slack:T0001/C0002/1.000200")
        expire(clock)
        page.goto(f"{base}/v/{other}")  # type: ignore[attr-defined]
        assert "expired" in page.inner_text("h1")  # type: ignore[attr-defined]
        page.screenshot(path=str(ARTIFACTS / "verify-expired.png"))  # type: ignore[attr-defined]
