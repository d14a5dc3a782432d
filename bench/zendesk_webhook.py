"""Zendesk webhook benchmark: acknowledgement latency, sustained events/s, event-to-note p95.

Run: .venv/bin/python bench/zendesk_webhook.py [--requests 2000] [--seconds 10] [--notes 100]

* Ack latency: signed ``ticket.comment_added`` webhooks sent one at a time over a keep-alive
  connection to the real app (uvicorn, one worker, in a thread of this process); p50/p99 of
  the time to the 200 (signature check + parse + inbox commit).
* Sustained: 8 client threads for ``--seconds``; accepted events per second.
* Event to note: the app plus an in-process worker against the fake Zendesk API
  (``tests/fake_zendesk.py``, real HTTP); time from sending the webhook until the internal note
  exists on the fake; p50/p95 over ``--notes`` tickets sent one after another.

SQLite (a temporary file) and PostgreSQL (CPNI_BENCH_PG_ADMIN_URL, default 127.0.0.1:5432;
a scratch database is created and dropped). Prints JSON; copy the figures to
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "zendesk"))
sys.path.insert(0, str(Path(__file__).parent))
from fake_zendesk import FakeZendesk, LiveServer  # noqa: E402
from inbox import scratch  # noqa: E402
from zendesk_support import comment_event, make_container, seed_account, settings_env, signed  # noqa: E402

from bot.clock import utcnow  # noqa: E402
from handlers.web import create_app  # noqa: E402

PG_ADMIN = os.environ.get(
    "CPNI_BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ASK = "Which numbers called me yesterday and how many minutes did I use?"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)


def ack_latency(base: str, n: int) -> dict[str, float]:
    times = []
    with httpx.Client() as client:
        for i in range(n):
            req = signed(comment_event(10 + i, 20 + i, ASK, author_id=5), at=datetime.now(UTC))
            t0 = time.perf_counter()
            r = client.post(f"{base}/zendesk/webhook", content=req.body, headers=req.headers)
            times.append(time.perf_counter() - t0)
            assert r.status_code == 200, r.text
    return {"p50_ms": pct(times, 0.5), "p99_ms": pct(times, 0.99)}


def sustained(base: str, seconds: float, threads: int = 8) -> dict[str, float]:
    stop = time.monotonic() + seconds
    counts = [0] * threads

    def run(k: int) -> None:
        with httpx.Client() as client:
            while time.monotonic() < stop:
                req = signed(
                    comment_event(1, 2, ASK, author_id=5, event_id=uuid.uuid4().hex),
                    at=datetime.now(UTC),
                )
                if (
                    client.post(
                        f"{base}/zendesk/webhook", content=req.body, headers=req.headers
                    ).status_code
                    == 200
                ):
                    counts[k] += 1

    pool = [threading.Thread(target=run, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return {"events_per_s": round(sum(counts) / seconds, 1), "threads": threads}


def event_to_note(db_url: str, n: int) -> dict[str, float]:
    with FakeZendesk() as zd:
        container = make_container(settings_env(db_url, zd.url), utcnow)
        seed_account(container, now=utcnow())
        worker = container.new_worker()
        stop = threading.Event()
        runner = threading.Thread(
            target=worker.run_forever, args=(stop,), kwargs={"poll_seconds": 0.05}
        )
        runner.start()
        times = []
        try:
            with LiveServer(create_app(container)) as base, httpx.Client() as client:
                for _ in range(n):
                    requester = zd.add_user(email="pat@example.com")
                    ticket = zd.add_ticket(requester_id=requester)
                    comment = zd.add_comment(ticket, ASK, author_id=requester)
                    req = signed(
                        comment_event(ticket, comment, ASK, author_id=requester),
                        at=datetime.now(UTC),
                    )
                    t0 = time.perf_counter()
                    assert (
                        client.post(
                            f"{base}/zendesk/webhook", content=req.body, headers=req.headers
                        ).status_code
                        == 200
                    )
                    while not zd.notes(ticket):
                        if time.perf_counter() - t0 > 30:
                            raise RuntimeError("note never arrived")
                        time.sleep(0.002)
                    times.append(time.perf_counter() - t0)
        finally:
            stop.set()
            worker.wakeup.set()
            runner.join()
            container.database.dispose()
    return {"p50_ms": pct(times, 0.5), "p95_ms": pct(times, 0.95), "notes": n}


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, object]:
    results: dict[str, object] = {}
    with scratch(backend, PG_ADMIN) as db, FakeZendesk() as zd:
        url = db.engine.url.render_as_string(hide_password=False)
        container = make_container(settings_env(url, zd.url), utcnow)
        with LiveServer(create_app(container)) as base:
            ack_latency(base, 50)  # warm-up
            results["ack"] = ack_latency(base, args.requests)
            results["sustained"] = sustained(base, args.seconds)
        container.database.dispose()
    with scratch(backend, PG_ADMIN) as db:
        results["event_to_note"] = event_to_note(
            db.engine.url.render_as_string(hide_password=False), args.notes
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--notes", type=int, default=100)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    print(json.dumps({b: run_backend(b, args) for b in backends}, indent=2))


if __name__ == "__main__":
    main()
