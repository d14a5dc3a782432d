"""The ASGI app: mounts every surface's routes, plus /healthz, /readyz and /metrics."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import text

from bot import __version__
from bot.container import Container
from bot.storage import migrate
from bot.storage.queues import InboxItem, OutboxItem
from bot.worker import queue_counts
from handlers import sonar, verify_page, zendesk
from handlers.api_events import router as account_events_router
from handlers.slack import router as slack_router

__all__ = ["ROUTERS", "create_app"]

#: One ``router(container) -> APIRouter`` per surface, mounted in order. Append new ones here.
ROUTERS: list[Callable[[Container], APIRouter]] = [
    # --- routers: append below this line ---
    sonar.router,  # Sonar connector (issue 9): HEAD/POST /sonar/webhook/{secret}
    account_events_router,  # account-change notices (issue 7): POST /api/account-events
    slack_router,  # Slack surface (issue 5): /slack/events and the OAuth install
    zendesk.router,
    verify_page.router,
]


class _QueueDepthCollector(Collector):
    """Reads inbox and outbox depth by state from the database at scrape time."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "cpni_queue_items", "Queue items by queue and state.", labels=["queue", "state"]
        )
        try:
            with self.container.database.transaction() as session:
                for table in (InboxItem, OutboxItem):
                    for state, count in queue_counts(session, table).items():
                        family.add_metric([table.__tablename__, state], count)
        except Exception:
            return
        yield family


def _readiness(container: Container) -> tuple[bool, str]:
    try:
        with container.database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        return False, f"database unreachable ({type(exc).__name__})"
    if not migrate.is_up_to_date(container.database):
        return False, "database not migrated (run: cpni-guard db upgrade)"
    return True, "ready"


def create_app(container: Container) -> FastAPI:
    """Build the web application for ``container``."""
    app = FastAPI(title="cpni-guard", version=__version__, docs_url=None, redoc_url=None)
    app.state.container = container
    collector = _QueueDepthCollector(container)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> Response:
        ok, reason = await asyncio.to_thread(_readiness, container)
        return JSONResponse(
            {"status": "ready" if ok else "not ready", "reason": reason},
            status_code=200 if ok else 503,
        )

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        body = await asyncio.to_thread(_render_metrics, collector)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    for router in ROUTERS:
        app.include_router(router(container))
    return app


def _render_metrics(collector: _QueueDepthCollector) -> Any:
    REGISTRY.register(collector)
    try:
        return generate_latest(REGISTRY)
    finally:
        REGISTRY.unregister(collector)
