"""The customer self-service PIN page: states, headers, single use, rate limit, no leaks."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from verify_support import KEY, PIN, expire, locked_thread_with_link

from bot.container import Container
from bot.services import conversations
from bot.storage.queues import OutboxItem

from fakes import FrozenClock


def test_page_has_strict_security_headers(client: TestClient, container: Container) -> None:
    """Every page forbids caching, framing, referrers and anything from elsewhere."""
    token = locked_thread_with_link(container)
    response = client.get(f"/v/{token}")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "no-store" in response.headers["cache-control"]
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    assert "<script" not in response.text
    assert 'name="pin"' in response.text and "Attempts left: 5" in response.text


def test_unknown_and_expired_links_say_so(
    client: TestClient, container: Container, clock: FrozenClock
) -> None:
    """An unknown token is a 404 page; an expired link says it expired (410)."""
    token = locked_thread_with_link(container)
    assert client.get("/v/not-a-real-token-aaaaaaaaaaaaaaaaaaaaaa").status_code == 404
    expire(clock)
    response = client.get(f"/v/{token}")
    assert response.status_code == 410 and "expired" in response.text


def test_success_unlocks_the_slack_thread_and_link_is_single_use(
    client: TestClient, container: Container
) -> None:
    """A right PIN verifies the thread where it lives (Slack: its sync_note is queued); the
    link then reads as used and accepts nothing more (R17)."""
    token = locked_thread_with_link(container)
    response = client.post(f"/v/{token}", data={"pin": PIN})
    assert response.status_code == 200 and "PIN confirmed" in response.text
    with container.database.transaction() as session:
        view = conversations.get_view(session, KEY)
        kinds = set(session.scalars(select(OutboxItem.kind)))
    assert view is not None and view.state.value == "verified" and view.verified_method == "link"
    assert "slack.sync_note" in kinds
    again = client.post(f"/v/{token}", data={"pin": PIN})
    assert again.status_code == 410 and "already used" in again.text


def test_wrong_pin_shows_attempts_left_then_stops(client: TestClient, container: Container) -> None:
    """Each wrong PIN shows the attempts left; the fifth try on a link is its last (rate limit)."""
    token = locked_thread_with_link(container)
    first = client.post(f"/v/{token}", data={"pin": "111222"})
    assert first.status_code == 422 and "Attempts left: 4" in first.text
    texts = [client.post(f"/v/{token}", data={"pin": "111222"}).text for _ in range(6)]
    assert any("locked" in t or "Too many" in t for t in texts)
    final = client.get(f"/v/{token}")
    assert final.status_code == 410


def test_non_digit_pin_is_refused_without_an_attempt(
    client: TestClient, container: Container
) -> None:
    """Letters are refused before the vault is asked, so no attempt is spent."""
    token = locked_thread_with_link(container)
    response = client.post(f"/v/{token}", data={"pin": "abcd"})
    assert response.status_code == 422 and "digits only" in response.text
    assert "Attempts left: 5" in response.text


def test_pin_and_token_never_logged(
    client: TestClient, container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    """Neither the PIN nor the link token appears in the logs of a full submission."""
    caplog.set_level(logging.DEBUG)
    token = locked_thread_with_link(container)
    client.get(f"/v/{token}")
    client.post(f"/v/{token}", data={"pin": "999000"})
    client.post(f"/v/{token}", data={"pin": PIN})
    # The test's own HTTP client (httpx) logs the URL it requests; the server side must not.
    server = "\n".join(
        r.getMessage() + str(r.__dict__) for r in caplog.records if not r.name.startswith("httpx")
    )
    assert server and token not in server and PIN not in server and "999000" not in server
