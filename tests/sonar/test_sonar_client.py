"""The Sonar GraphQL client: errors are failures, backoff, rate limit, and the check."""

from __future__ import annotations

import logging
import re

import pytest
from fake_sonar import FakeSonar
from sonar_support import make_gateway

from bot.container import Container
from bot.errors import RetryLaterError
from bot.services.sonar_check import run_check
from bot.services.sonar_sync import sync_accounts
from handlers.sonar import queries as q
from handlers.sonar.client import SonarClient, SonarGraphQLError, TokenBucket
from handlers.sonar.worker import routing_for

from fakes import FrozenClock


def _client(sonar: FakeSonar, waits: list[float], token: str | None = None) -> SonarClient:
    return SonarClient(
        sonar.url,
        token or sonar.token,
        bucket=TokenBucket(399, burst=100, sleep=waits.append),
        sleep=waits.append,
    )


def test_graphql_errors_are_failures_even_with_http_200(sonar: FakeSonar) -> None:
    """A response carrying ``errors`` raises, with CPNI-looking text scrubbed from it."""
    client = _client(sonar, [])
    with pytest.raises(SonarGraphQLError) as caught:
        client.execute(
            "query Bad($id: Int64Bit!) { accounts(id: $id) { nope } }", {"id": "5551234"}
        )
    assert "nope" in str(caught.value)
    with pytest.raises(SonarGraphQLError):
        _client(sonar, [], token="wrong").execute(q.CONTACT_OWNER, {"id": "1"})


def test_429_5xx_and_the_rate_limit_body_are_retried_with_backoff(sonar: FakeSonar) -> None:
    """Busy answers are retried with growing waits; a success after them is returned."""
    waits: list[float] = []
    sonar.fail_next = [429, 503, "ratelimit"]
    data = _client(sonar, waits).execute(q.CONTACT_OWNER, {"id": "1"})
    assert data == {"contacts": {"entities": []}}
    assert waits == [1.0, 2.0, 5.0] and len(sonar.requests) == 4


def test_a_sonar_that_stays_down_is_a_retry_later_error(sonar: FakeSonar) -> None:
    """After every retry the caller gets RetryLaterError, so the worker backs off."""
    sonar.fail_next = [500] * 10
    with pytest.raises(RetryLaterError):
        _client(sonar, []).execute(q.CONTACT_OWNER, {"id": "1"})


def test_the_token_bucket_keeps_under_400_requests_a_minute() -> None:
    """After the burst, requests are spaced to the configured rate."""
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    bucket = TokenBucket(300, burst=5, monotonic=lambda: now[0], sleep=sleep)
    for _ in range(65):
        bucket.acquire()
    assert now[0] == pytest.approx(12.0)  # 60 beyond the burst at 5 per second
    assert 65 / (now[0] / 60 + 1 / 60) < 400


def test_pagination_follows_page_info(sonar: FakeSonar) -> None:
    """Every page up to ``total_pages`` is requested and its entities yielded."""
    for n in range(7):
        sonar.data.tables["triggered_messages"][str(n)] = {
            "id": str(n),
            "name": f"m{n}",
            "enabled": n == 3,
            "trigger": "PAYMENT_SUCCESS",
        }
    rows = list(
        _client(sonar, []).paginate(
            q.TRIGGERED_MESSAGES, {}, path="triggered_messages", page_size=3
        )
    )
    assert len(rows) == 7 and sonar.operations.count("TriggeredMessages") == 3


def _permissions(sonar: FakeSonar, *, portal: list[str], admin: bool, bot: list[str]) -> None:
    roles = sonar.data.tables["roles"]
    roles["portal"] = {"id": "2", "name": "Customer Portal", "applied_permissions": portal}
    roles["bot"] = {"id": "3", "name": "cpni-guard", "applied_permissions": bot}
    sonar.data.tables["users"]["2"] = {
        "id": "2",
        "username": "customer_portal_api",
        "enabled": True,
        "super_admin": admin,
        "role_id": "portal",
    }


def test_the_check_reports_triggers_notifiers_and_permissions(
    container: Container, sonar: FakeSonar
) -> None:
    """With Sonar's password notice on, auto leaves it to Sonar; UPDATE_CONTACT is flagged."""
    sonar.data.tables["triggered_messages"]["1"] = {
        "id": "1",
        "name": "pw",
        "enabled": True,
        "trigger": "CONTACT_PASSWORD_CHANGED",
    }
    _permissions(
        sonar, portal=["READ_ACCOUNT", "UPDATE_CONTACT"], admin=False, bot=["READ_ACCOUNT"]
    )
    report = run_check(
        make_gateway(sonar),
        portal_user="customer_portal_api",
        notify_password="auto",
        notify_address="auto",
    )
    assert report.triggers == {"CONTACT_PASSWORD_CHANGED": True, "ACCOUNT_ADDRESS_CHANGED": False}
    assert report.notifiers == {
        "password": "sonar",
        "postal_address": "cpni_guard",
        "email_address": "cpni_guard",
        "phone_number_of_record": "cpni_guard",
        "online_account": "cpni_guard",
    }
    assert report.portal is not None and report.portal.compliant is False
    assert report.bot_has_update_contact is False and not report.ok


def test_the_check_flags_a_super_admin_portal_user_and_an_uncovered_kind(sonar: FakeSonar) -> None:
    """A super admin holds every permission; leaving a kind to a disabled trigger is a gap."""
    _permissions(sonar, portal=[], admin=True, bot=["UPDATE_CONTACT"])
    report = run_check(
        make_gateway(sonar),
        portal_user="customer_portal_api",
        notify_password="sonar",
        notify_address="auto",
    )
    assert report.portal is not None and report.portal.has_update_contact is True
    assert report.bot_has_update_contact is True
    assert any("no one notifies" in w for w in report.warnings)


def test_no_token_pin_or_contact_reaches_the_logs(
    container: Container, sonar: FakeSonar, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    """After sync, failures and errors, the logs hold no token, email, phone or PIN."""
    caplog.set_level(logging.DEBUG)
    sonar.data.add_account("Pat Doe", email="pat@example.net", phone="+12065550123")
    sonar.data.set_custom_field(next(iter(sonar.data.tables["accounts"])), "77", "4829")
    sonar.fail_next = [500, "ratelimit"]
    gateway = make_gateway(sonar)
    sync_accounts(container.database, gateway, routing=routing_for(container, gateway), now=clock())
    with pytest.raises(SonarGraphQLError):
        gateway.client.execute(
            "query X($e: String!) { users(username: $e) { nope } }", {"e": "pat@example.net"}
        )
    text = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    for secret in (sonar.token, "pat@example.net"):
        assert secret not in text
    # Digits are matched whole: an ephemeral port such as :48291 is not the PIN 4829.
    for digits in ("2065550123", "4829"):
        assert not re.search(rf"(?<!\d){digits}(?!\d)", text), digits
