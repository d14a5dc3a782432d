"""Helpers for the Sonar tests: a gateway and a container wired to the fake Sonar.

Test modules import these from here (never from ``conftest``, whose name is ambiguous).
"""

from __future__ import annotations

from fake_sonar import FakeSonar

from bot.config import load_config
from bot.container import Container, build_container
from bot.storage.db import Database
from handlers.sonar import GATEWAY_OPTION, register
from handlers.sonar.client import SonarClient, TokenBucket
from handlers.sonar.gateway import SonarGateway

from fakes import FrozenClock

WEBHOOK_SECRET = "s" * 20 + "0123456789abcdefghij"  # 40 characters


def make_gateway(sonar: FakeSonar, *, sleeps: list[float] | None = None) -> SonarGateway:
    """A gateway on the fake whose waits are recorded instead of slept."""
    waits = sleeps if sleeps is not None else []
    client = SonarClient(
        sonar.url,
        sonar.token,
        bucket=TokenBucket(399, burst=1000, sleep=waits.append),
        sleep=waits.append,
    )
    return SonarGateway(client, page_size=50)


def make_container(
    database: Database, sonar: FakeSonar, clock: FrozenClock, **extra: str
) -> Container:
    """A container whose settings point at the fake Sonar, with only the Sonar handlers."""
    env = {
        "CPNI_DATABASE_URL": database.url.render_as_string(hide_password=False),
        "SONAR_URL": sonar.url,
        "SONAR_API_TOKEN": sonar.token,
        "CPNI_SONAR_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "CPNI_SMTP_HOST": "127.0.0.1",
        "CPNI_SMTP_SENDER": "cpni@example.net",
        "CPNI_NOTICE_REPORT_CONTACT": "call 555-0100",
        **extra,
    }
    config = load_config(env, env_file=None)
    container = build_container(config, clock=clock, plugins=False)
    container.database.dispose()
    container.database = database
    gateway = make_gateway(sonar)
    container.options[GATEWAY_OPTION] = lambda: gateway
    register(container)
    return container
