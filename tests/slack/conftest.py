"""Fixtures for the Slack surface: the fake Web API, a wired container, the app over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fake_slack import FakeSlack, serve_fake_slack
from slack_support import (
    AGENT,
    CHANNEL,
    SUPERVISOR,
    SUPERVISOR_GROUP,
    SlackClient,
    make_container,
    serve_app,
    settings_env,
)

from bot.container import Container

from fakes import FrozenClock


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    """The fake Slack Web API over real HTTP on 127.0.0.1."""
    with serve_fake_slack() as running:
        running.usergroups[SUPERVISOR_GROUP] = [SUPERVISOR]
        running.members[CHANNEL] = [AGENT, SUPERVISOR]
        yield running


@pytest.fixture
def container(database_url: str, fake: FakeSlack, clock: FrozenClock) -> Iterator[Container]:
    """The bot, configured for the fake Slack, on SQLite and on PostgreSQL."""
    built = make_container(settings_env(database_url, fake.url), clock)
    yield built
    built.database.dispose()


@pytest.fixture
def slack(container: Container, fake: FakeSlack) -> Iterator[SlackClient]:
    """A signed-request client for the web app, served by uvicorn."""
    with serve_app(container) as url:
        client = SlackClient(url, fake)
        yield client
        client.http.close()
