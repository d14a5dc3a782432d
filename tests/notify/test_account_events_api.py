"""POST /api/account-events: signed, idempotent, strict about payloads, documented (R4, R20)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from notify_fixtures import make_container, seed_account
from sqlalchemy import func, select

from bot.container import Container
from bot.security.tokens import hmac_sha256_b64
from bot.storage.db import Database
from bot.storage.notices import Notice
from bot.storage.queues import OutboxItem
from handlers.api_events import SIGNATURE_HEADER, TIMESTAMP_HEADER, router

from fakes import FrozenClock

SECRET = "account-events-test-secret"


@pytest.fixture
def container(database: Database, clock: FrozenClock) -> Container:
    """A container with SMTP configured (not contacted) and the events secret set."""
    seed_account(database, "100234", now=clock(), emails=(("pat@example.com", 400),))
    return make_container(
        database,
        clock,
        CPNI_ACCOUNT_EVENTS_SECRET=SECRET,
        CPNI_SMTP_HOST="127.0.0.1",
        CPNI_SMTP_SENDER="notices@telco.example",
    )


@pytest.fixture
def client(container: Container) -> TestClient:
    """The events router in an app of its own."""
    app = FastAPI()
    app.include_router(router(container))
    return TestClient(app)


def _post(
    client: TestClient, clock: FrozenClock, payload: Any, *, secret: str = SECRET, age: float = 0
) -> Any:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    stamp = str(int((clock() - timedelta(seconds=age)).timestamp()))
    headers = {
        SIGNATURE_HEADER: hmac_sha256_b64(secret, stamp, body),
        TIMESTAMP_HEADER: stamp,
        "Content-Type": "application/json",
    }
    return client.post("/api/account-events", content=body, headers=headers)


def _event(**kw: Any) -> dict[str, Any]:
    return {
        "event_id": "crm-1",
        "account_number": "100234",
        "kind": "password",
        "occurred_at": "2026-03-02T14:59:00Z",
        "actor": "crm:agent-17",
    } | kw


def _counts(database: Database) -> tuple[int, int]:
    with database.transaction() as session:
        notices = session.scalar(select(func.count()).select_from(Notice))
        effects = session.scalar(select(func.count()).select_from(OutboxItem))
    return int(notices or 0), int(effects or 0)


def test_a_signed_event_queues_one_notice(
    client: TestClient, clock: FrozenClock, database: Database
) -> None:
    """A valid signed event is accepted (202) and its notice queued on email (R20)."""
    response = _post(client, clock, _event())
    assert response.status_code == 202, response.text
    assert response.json() | {"notice_id": 0} == {
        "notice_id": 0,
        "state": "queued",
        "channel": "email",
        "reason": None,
        "sent_to_prior_contact": True,
        "duplicate": False,
    }
    assert _counts(database) == (1, 1)


def test_the_same_event_id_again_changes_nothing(
    client: TestClient, clock: FrozenClock, database: Database
) -> None:
    """A redelivered event returns the first outcome (200) and queues nothing more."""
    first = _post(client, clock, _event()).json()
    again = _post(client, clock, _event())
    assert again.status_code == 200
    assert again.json() == first | {"duplicate": True}
    assert _counts(database) == (1, 1)


def test_a_different_event_under_a_used_id_is_a_conflict(
    client: TestClient, clock: FrozenClock, database: Database
) -> None:
    """Reusing an event id for another change is refused with 409."""
    _post(client, clock, _event())
    response = _post(client, clock, _event(kind="pin"))
    assert response.status_code == 409
    assert _counts(database) == (1, 1)


@pytest.mark.parametrize(
    ("secret", "age", "drop", "reason"),
    [
        ("wrong-secret", 0, None, "signature bad_signature"),
        (SECRET, 301, None, "signature stale"),
        (SECRET, 0, SIGNATURE_HEADER, "signature missing"),
        (SECRET, 0, TIMESTAMP_HEADER, "signature missing"),
    ],
)
def test_bad_or_missing_signatures_get_401_and_store_nothing(
    client: TestClient,
    clock: FrozenClock,
    database: Database,
    secret: str,
    age: float,
    drop: str | None,
    reason: str,
) -> None:
    """A wrong, stale (> 5 min) or absent signature is refused before anything is parsed."""
    body = json.dumps(_event()).encode()
    stamp = str(int((clock() - timedelta(seconds=age)).timestamp()))
    headers = {SIGNATURE_HEADER: hmac_sha256_b64(secret, stamp, body), TIMESTAMP_HEADER: stamp}
    if drop:
        del headers[drop]
    response = client.post("/api/account-events", content=body, headers=headers)
    assert (response.status_code, response.json()["detail"]) == (401, reason)
    assert _counts(database) == (0, 0)


def test_a_bad_payload_gets_every_problem_and_changes_nothing(
    client: TestClient, clock: FrozenClock, database: Database
) -> None:
    """Each problem is listed (422) without echoing values, and nothing is stored."""
    payload = {
        "event_id": "crm-2",
        "kind": "marketing_preference",
        "occurred_at": "yesterday",
        "surprise": "field",
        "new_email": "zz-secret@example.org",
    }
    response = _post(client, clock, payload)
    assert response.status_code == 422
    problems = {tuple(p["loc"]) for p in response.json()["detail"]}
    assert problems == {("account_number",), ("kind",), ("occurred_at",), ("surprise",)}
    assert "zz-secret" not in response.text
    assert _counts(database) == (0, 0)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"new_email": "x@example.org"}, "new_email does not go with kind password"),
        ({"kind": "email_address", "new_email": "not-an-email"}, "not a valid email"),
        ({"kind": "phone_number_of_record", "new_phone": "12"}, "not a valid telephone"),
        ({"occurred_at": "2026-03-02T16:00:00Z"}, "is in the future"),
        ({"locale": "../../etc"}, "String should match pattern"),
    ],
)
def test_a_new_value_must_fit_the_change(
    client: TestClient, clock: FrozenClock, database: Database, extra: dict[str, Any], message: str
) -> None:
    """New values must match the kind and be valid; events may not come from the future."""
    response = _post(client, clock, _event(**extra))
    assert response.status_code == 422 and message in response.text
    assert _counts(database) == (0, 0)


def test_invalid_json_is_a_422(client: TestClient, clock: FrozenClock, database: Database) -> None:
    """A body that is not JSON is refused with 422 and nothing is stored."""
    response = _post(client, clock, b"{not json")
    assert response.status_code == 422 and _counts(database) == (0, 0)


def test_an_email_change_event_is_never_sent_to_the_new_address(
    client: TestClient, clock: FrozenClock, database: Database
) -> None:
    """The new email in the event keeps the notice away from it, and is not stored (R24)."""
    response = _post(client, clock, _event(kind="email_address", new_email="pat@example.com"))
    assert response.json()["state"] == "pending_staff"
    with database.transaction() as session:
        notice = session.scalars(select(Notice)).one()
        assert "pat@example.com" not in repr(notice.__dict__)


def test_without_a_secret_the_endpoint_is_unavailable(
    database: Database, clock: FrozenClock
) -> None:
    """With CPNI_ACCOUNT_EVENTS_SECRET unset, every request gets 503 and nothing is stored."""
    app = FastAPI()
    app.include_router(router(make_container(database, clock)))
    response = _post(TestClient(app), clock, _event())
    assert response.status_code == 503 and _counts(database) == (0, 0)


def test_the_openapi_schema_documents_the_request_with_examples(client: TestClient) -> None:
    """The OpenAPI document describes the body (kinds, fields), headers and examples."""
    operation = client.get("/openapi.json").json()["paths"]["/api/account-events"]["post"]
    body = operation["requestBody"]["content"]["application/json"]
    assert "password" in json.dumps(body["schema"]["properties"]["kind"])
    assert "line1" in json.dumps(body["schema"])
    assert "$defs" not in json.dumps(body["schema"])
    assert body["examples"]["example1"]["value"]["kind"] == "password"
    headers = {p["name"] for p in operation["parameters"]}
    assert headers == {SIGNATURE_HEADER, TIMESTAMP_HEADER}
    assert set(operation["responses"]) >= {"200", "202", "401", "409", "422"}
