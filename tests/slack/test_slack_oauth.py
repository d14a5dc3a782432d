"""Multi-workspace install over real HTTP: state, code exchange, sealed tokens, per-team calls."""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest
from fake_slack import CLIENT_ID, CLIENT_SECRET, FakeSlack
from slack_support import SlackClient, make_container, message, serve_app, settings_env
from sqlalchemy import text, update

from bot.container import Container
from bot.storage.slack import SlackOAuthState

from fakes import FrozenClock

TEAM_2 = "T2"
TOKEN_2 = "xoxb-team-two-secret-token-0123456789"
TOKEN_KEY = base64.urlsafe_b64encode(b"t" * 32).decode()
COOKIE = "slack-app-oauth-state"
SENSITIVE = "Caller wants to know what's on their latest bill and how much they owe"


@pytest.fixture
def oauth_container(database_url: str, fake: FakeSlack, clock: FrozenClock) -> Iterator[Container]:
    """The bot in multi-workspace mode: no single bot token, tokens come from installs."""
    env = settings_env(
        database_url,
        fake.url,
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=CLIENT_SECRET,
        CPNI_SLACK_TOKEN_KEY=TOKEN_KEY,
    )
    del env["SLACK_BOT_TOKEN"]
    built = make_container(env, clock)
    yield built
    built.database.dispose()


@pytest.fixture
def web(oauth_container: Container) -> Iterator[str]:
    """The web app's base URL."""
    with serve_app(oauth_container) as url:
        yield url


def _install(web: str) -> str:
    """Open /slack/install; return the state it issued (in the cookie and the Slack link)."""
    page = httpx.get(web + "/slack/install", timeout=10)
    assert page.status_code == 200
    found = re.search(COOKIE + r"=([^;]+);", page.headers["set-cookie"])
    assert found is not None
    state = found.group(1)
    assert f"state={state}" in page.text
    return state


def _redirect(web: str, *, code: str, state: str, cookie: str | None = None) -> httpx.Response:
    """Come back from Slack's consent screen, as the browser that started the install."""
    headers = {"Cookie": f"{COOKIE}={cookie or state}"} if cookie != "" else {}
    return httpx.get(
        web + "/slack/oauth_redirect",
        params={"code": code, "state": state},
        headers=headers,
        timeout=10,
    )


def _stored_tokens(container: Container) -> list[str]:
    with container.database.engine.connect() as connection:
        rows = list(connection.execute(text("SELECT bot_token FROM slack_bots")))
        rows += list(connection.execute(text("SELECT bot_token FROM slack_installations")))
    return [str(r[0]) for r in rows]


def test_an_install_stores_a_sealed_token_and_team_events_use_it(
    web: str, oauth_container: Container, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    """State issued, code exchanged, token sealed at rest, T2's thread handled with T2's token."""
    caplog.set_level(logging.DEBUG)
    state = _install(web)
    fake.grant_code("code-t2", team=TEAM_2, bot_token=TOKEN_2)
    done = _redirect(web, code="code-t2", state=state)
    assert done.status_code == 200
    (exchange,) = fake.calls_of("oauth.v2.access")
    assert exchange.error is None and exchange.token == f"basic:{CLIENT_ID}"
    stored = _stored_tokens(oauth_container)
    assert len(stored) == 2
    assert all(v.startswith("enc1:") and TOKEN_2 not in v for v in stored)

    client = SlackClient(web, fake)
    thread = "1700005000.000100"
    answer = client.event(message(SENSITIVE, ts=thread, team=TEAM_2), team=TEAM_2)
    assert answer.status_code == 200
    oauth_container.new_worker().run_until_idle()
    (post,) = fake.calls_of("chat.postMessage")
    assert post.error is None and post.token == TOKEN_2
    assert post.params["thread_ts"] == thread
    (note,) = [m for m in fake.messages.values() if m.get("thread_ts") == thread]
    assert note["bot_id"] == f"BBOT{TEAM_2}"
    client.http.close()
    for secret in (TOKEN_2, CLIENT_SECRET, TOKEN_KEY, SENSITIVE):
        assert secret not in caplog.text


def test_a_state_is_single_use(web: str, oauth_container: Container, fake: FakeSlack) -> None:
    """Replaying a consumed state is refused before any code exchange."""
    state = _install(web)
    fake.grant_code("code-a", team=TEAM_2, bot_token=TOKEN_2)
    assert _redirect(web, code="code-a", state=state).status_code == 200
    fake.grant_code("code-b", team=TEAM_2, bot_token=TOKEN_2 + "b")
    replay = _redirect(web, code="code-b", state=state)
    assert replay.status_code == 401
    assert len(fake.calls_of("oauth.v2.access")) == 1
    assert len(_stored_tokens(oauth_container)) == 2


@pytest.mark.parametrize("case", ["unknown", "expired", "other browser", "no cookie"])
def test_a_bad_or_expired_state_is_refused_and_nothing_is_installed(
    web: str, oauth_container: Container, fake: FakeSlack, case: str
) -> None:
    """Forged, expired or foreign-browser states never reach oauth.v2.access."""
    state = _install(web)
    fake.grant_code("code-x", team=TEAM_2, bot_token=TOKEN_2)
    if case == "expired":
        with oauth_container.database.transaction() as session:
            session.execute(update(SlackOAuthState).values(expire_at=datetime(2000, 1, 1)))
        answer = _redirect(web, code="code-x", state=state)
    elif case == "unknown":
        answer = _redirect(web, code="code-x", state="forged-state-value")
    elif case == "other browser":
        answer = _redirect(web, code="code-x", state=state, cookie="another-state")
    else:
        answer = _redirect(web, code="code-x", state=state, cookie="")
    assert answer.status_code in (400, 401)
    assert fake.calls_of("oauth.v2.access") == []
    assert _stored_tokens(oauth_container) == []
    assert "code-x" in fake.oauth_codes  # the code was never spent
