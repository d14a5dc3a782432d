"""/healthz, /readyz and /metrics."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bot.config import load_config
from bot.container import build_container
from bot.storage.db import Database
from bot.worker import enqueue_inbound
from handlers.web import create_app

from fakes import FrozenClock


def _client(url: str) -> TestClient:
    container = build_container(load_config({"CPNI_DATABASE_URL": url}), plugins=False)
    return TestClient(create_app(container))


def test_health_and_readiness_on_a_migrated_database(
    database: Database, clock: FrozenClock
) -> None:
    """A migrated, reachable database is ready, and /metrics shows queue depth by state."""
    with database.transaction() as session:
        enqueue_inbound(
            session, source="slack", external_id="Ev1", kind="message", payload={}, now=clock()
        )
    client = _client(database.url.render_as_string(hide_password=False))
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert (ready.status_code, ready.json()["status"]) == (200, "ready")
    metrics = client.get("/metrics").text
    assert 'cpni_queue_items{queue="inbox",state="pending"} 1.0' in metrics
    assert "cpni_queue_processing_latency_seconds" in metrics


def test_readiness_fails_on_an_unmigrated_database(tmp_path: object) -> None:
    """An empty database is alive but not ready, and the reason names the fix."""
    client = _client(f"sqlite:///{tmp_path}/fresh.db")
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert "cpni-guard db upgrade" in ready.json()["reason"]
    assert client.get("/healthz").status_code == 200
