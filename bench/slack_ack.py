"""Slack acknowledgement latency: events and PIN-modal submissions under load.

Sends signed ``message`` events at 50 requests/s to ``/slack/events`` (real HTTP, uvicorn) while
16 PIN-modal submissions are kept in flight (real argon2id vault, default cost profile), against
the local fake Slack. Prints p50/p99 for both, for docs/benchmarks.md.

    .venv/bin/python bench/slack_ack.py [--seconds 20] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "slack")]

from fake_slack import serve_fake_slack  # noqa: E402
from slack_support import (  # noqa: E402
    ACCOUNT,
    PIN,
    SlackClient,
    key_of,
    make_container,
    message,
    seed_account,
    serve_app,
    settings_env,
)

from bot.storage import migrate  # noqa: E402
from bot.storage.db import Database  # noqa: E402

from fakes import FrozenClock  # noqa: E402


class _Capture:
    """Stands in for the sync HTTP client: keeps the signed request instead of sending it."""

    last: tuple[bytes, dict[str, str]] = (b"", {})

    def post(self, _url: str, *, content: bytes, headers: dict[str, str]) -> None:
        self.last = (content, headers)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def _run(client: SlackClient, seconds: float) -> tuple[list[float], list[float]]:
    events: list[float] = []
    modals: list[float] = []
    stop = time.monotonic() + seconds

    http = httpx.AsyncClient(
        base_url=str(client.http.base_url), timeout=30, limits=httpx.Limits(max_connections=128)
    )
    capture = _Capture()
    client.http = capture  # type: ignore[assignment]  # build signed requests, send them async

    async def timed(fn: object, sink: list[float], *args: object, **kw: object) -> None:
        fn(*args, **kw)  # type: ignore[operator]
        content, headers = capture.last
        start = time.perf_counter()
        response = await http.post("/slack/events", content=content, headers=headers)
        assert response.status_code == 200, response.text
        sink.append(time.perf_counter() - start)

    async def verifier(lane: int) -> None:
        n = 0
        while time.monotonic() < stop:
            n += 1
            thread = key_of(f"{1700020000 + lane * 100000 + n}.000100")
            await timed(client.submit_pin, modals, thread, account=ACCOUNT, pin=PIN)

    async def producer() -> None:
        tasks = []
        n = 0
        while time.monotonic() < stop:
            n += 1
            ts = f"{1700010000 + n}.000100"
            tasks.append(
                asyncio.create_task(timed(client.event, events, message(f"hello {n}", ts=ts)))
            )
            await asyncio.sleep(1 / 50)
        await asyncio.gather(*tasks)

    await asyncio.gather(producer(), *(verifier(i) for i in range(16)))
    return events, modals


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, serve_fake_slack() as fake:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        database = Database(url)
        migrate.upgrade(database)
        database.dispose()
        env = settings_env(url, fake.url, CPNI_ARGON2_PROFILE="rfc9106_low_memory")
        container = make_container(env, FrozenClock())
        seed_account(container, now=container.clock())
        with serve_app(container) as base:
            client = SlackClient(base, fake)
            client.http = httpx.Client(
                base_url=base, timeout=30, limits=httpx.Limits(max_connections=64)
            )
            client.event(message("warm up", ts="1700009000.000100"))
            events, modals = asyncio.run(_run(client, args.seconds))
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    lines = [
        f"| {backend} | {label} ({len(xs)}) | {_pct(xs, 0.5):.1f} | {_pct(xs, 0.99):.1f} |"
        for label, xs in (("events", events), ("PIN modal", modals))
    ]
    print("\n".join(lines))
    print(f"mean modal {statistics.mean(modals) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
