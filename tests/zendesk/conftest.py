"""Fixtures for the Zendesk surface: the fake API, a wired container and the web app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fake_zendesk import FakeZendesk
from fastapi.testclient import TestClient
from zendesk_support import make_container, settings_env

from bot.container import Container
from handlers.web import create_app

from fakes import FrozenClock


@pytest.fixture
def zd(clock: FrozenClock) -> Iterator[FakeZendesk]:
    """The fake Zendesk API, over real HTTP on 127.0.0.1."""
    with FakeZendesk(clock=clock) as fake:
        yield fake


@pytest.fixture
def container(database_url: str, zd: FakeZendesk, clock: FrozenClock) -> Iterator[Container]:
    """The bot, configured for the fake Zendesk, on SQLite and on PostgreSQL."""
    built = make_container(settings_env(database_url, zd.url), clock)
    yield built
    built.database.dispose()


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    """The web app of ``container``."""
    with TestClient(create_app(container)) as test_client:
        yield test_client
