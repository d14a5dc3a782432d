"""Fixtures for the self-service page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from verify_support import make_container

from bot.container import Container
from handlers.web import create_app

from fakes import FrozenClock


@pytest.fixture
def container(database_url: str, clock: FrozenClock) -> Iterator[Container]:
    """The bot on SQLite and on PostgreSQL."""
    built = make_container(database_url, clock)
    yield built
    built.database.dispose()


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    """The web app."""
    with TestClient(create_app(container)) as test_client:
        yield test_client
