"""Fixtures for the Sonar connector: a running fake Sonar and a container wired to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fake_sonar import FakeSonar
from sonar_support import make_container

from bot.container import Container
from bot.storage.db import Database

from fakes import FrozenClock


@pytest.fixture
def sonar(clock: FrozenClock) -> Iterator[FakeSonar]:
    """A fake Sonar GraphQL server on 127.0.0.1 (real HTTP), with Sonar's clock frozen too."""
    with FakeSonar(clock=clock) as server:
        yield server


@pytest.fixture
def container(database: Database, sonar: FakeSonar, clock: FrozenClock) -> Container:
    """The container for ``database`` and ``sonar``."""
    return make_container(database, sonar, clock)
