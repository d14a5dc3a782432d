"""The webhook receiver: Zendesk signatures, staleness, replays, bad payloads, the inbox."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from zendesk_support import WEBHOOK_SECRET, comment_event, signed

from bot.container import Container
from bot.storage.queues import InboxItem

from fakes import FrozenClock

SAMPLES = Path("/work/shared/data/payloads/zendesk")
SAMPLE = "zendesk_event_ticket_comment_added_captured.json"


def _inbox_count(container: Container) -> int:
    with container.database.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(InboxItem)) or 0)


def _post(client: TestClient, request: object) -> object:
    return client.post("/zendesk/webhook", content=request.body, headers=request.headers)  # type: ignore[attr-defined]


def test_signed_event_is_stored_before_200(
    client: TestClient, container: Container, clock: FrozenClock
) -> None:
    """A correctly signed comment_added event is committed to the inbox, then answered 200."""
    response = _post(client, signed(comment_event(5, 6, "hello", author_id=7), at=clock.now))
    assert response.status_code == 200
    assert response.json() == {"status": "accepted"}
    assert _inbox_count(container) == 1


def test_captured_sample_is_accepted(
    client: TestClient, container: Container, clock: FrozenClock
) -> None:
    """The captured Zendesk comment_added payload, signed over its raw bytes, is accepted."""
    raw = (SAMPLES / SAMPLE).read_bytes()
    response = _post(client, signed(raw, at=clock.now))
    assert response.status_code == 200
    with container.database.transaction() as session:
        item = session.scalars(select(InboxItem)).one()
        assert (item.source, item.kind) == ("zendesk", "ticket.comment_added")
        assert item.external_id == "d8551ba3-4243-433c-8629-aa79dc3e7182"
        assert item.payload["ticket_id"] == "71447"


@pytest.mark.parametrize("mutate", ["forged", "missing", "other_secret", "body_changed"])
def test_bad_signatures_get_401_and_store_nothing(
    client: TestClient, container: Container, clock: FrozenClock, mutate: str
) -> None:
    """Forged, missing or mismatched signatures are refused with 401 and nothing is stored."""
    request = signed(comment_event(5, 6, "hello", author_id=7), at=clock.now)
    if mutate == "forged":
        request.headers["X-Zendesk-Webhook-Signature"] = (
            "AAAA" + request.headers["X-Zendesk-Webhook-Signature"][4:]
        )
    elif mutate == "missing":
        del request.headers["X-Zendesk-Webhook-Signature"]
    elif mutate == "other_secret":
        request = signed(comment_event(5, 6, "hello", author_id=7), at=clock.now, secret="nope")
    else:
        request.body = request.body.replace(b"hello", b"hellO")
    response = _post(client, request)
    assert response.status_code == 401
    assert _inbox_count(container) == 0


def test_stale_timestamp_is_refused(
    client: TestClient, container: Container, clock: FrozenClock
) -> None:
    """A correctly signed request older than five minutes is refused as a possible replay."""
    request = signed(comment_event(5, 6, "hello", author_id=7), at=clock.now)
    clock.advance(minutes=5, seconds=1)
    assert _post(client, request).status_code == 401
    assert _inbox_count(container) == 0


def test_redelivery_is_acknowledged_once(
    client: TestClient, container: Container, clock: FrozenClock
) -> None:
    """A redelivered event (same id, re-signed) is answered 200 but stored only once."""
    payload = comment_event(5, 6, "hello", author_id=7, event_id="evt-1")
    assert _post(client, signed(payload, at=clock.now)).json() == {"status": "accepted"}
    clock.advance(seconds=30)
    assert _post(client, signed(payload, at=clock.now)).json() == {"status": "duplicate"}
    assert _inbox_count(container) == 1


def test_malformed_json_is_400_and_not_logged(
    client: TestClient, container: Container, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    """A signed body that is not JSON gets 400, and the log never holds the body."""
    caplog.set_level(logging.DEBUG)
    response = _post(client, signed(b'{"secret-body-4711": ', at=clock.now))
    assert response.status_code == 400
    assert "secret-body-4711" not in caplog.text
    assert _inbox_count(container) == 0


def test_unknown_event_type_is_422(
    client: TestClient, container: Container, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    """An event type the bot does not handle gets a clear 422 naming the type, not the body."""
    caplog.set_level(logging.DEBUG)
    raw = (SAMPLES / "zendesk_event_user_active_changed_docs.json").read_bytes()
    response = _post(client, signed(raw, at=clock.now))
    assert response.status_code == 422
    assert "unsupported event type" in response.json()["error"]
    assert "[email protected]" not in caplog.text
    assert _inbox_count(container) == 0


def test_ignored_ticket_event_is_acknowledged_not_stored(
    client: TestClient, container: Container, clock: FrozenClock
) -> None:
    """A subscribed ticket event that needs no action is answered 200 and not stored."""
    raw = (SAMPLES / "zendesk_event_ticket_attachment_linked_to_comment.json").read_bytes()
    response = _post(client, signed(raw, at=clock.now))
    assert response.status_code == 200
    assert response.json()["status"] == "ignored"
    assert _inbox_count(container) == 0


def test_trigger_template_is_accepted_and_deduplicated(
    client: TestClient, container: Container, clock: FrozenClock
) -> None:
    """The README's trigger template, filled in by Zendesk, is stored once per ticket update."""
    payload = {
        "type": "cpni-guard:trigger",
        "id": "41-1772463600",
        "ticket_id": "41",
        "via": "Mail",
    }
    assert _post(client, signed(payload, at=clock.now)).json() == {"status": "accepted"}
    assert _post(client, signed(payload, at=clock.now)).json() == {"status": "duplicate"}
    unfilled = {**payload, "id": "{{ticket.id}}"}
    assert _post(client, signed(unfilled, at=clock.now)).status_code == 422


def test_readme_trigger_template_parses() -> None:
    """The trigger JSON printed in the README is valid JSON of the accepted shape."""
    readme = Path(__file__).resolve().parents[2] / "README.md"
    text = readme.read_text(encoding="utf-8")
    start = text.index("```json", text.index("## Zendesk"))
    block = text[start + len("```json") : text.index("```", start + 7)]
    template = json.loads(block)
    assert template["type"] == "cpni-guard:trigger"
    assert "{{ticket.id}}" in template["ticket_id"]
    assert WEBHOOK_SECRET not in text
