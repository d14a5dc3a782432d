"""``serve`` (web + in-process workers) and ``worker`` (extra workers for scale-out)."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from types import FrameType

import click
import uvicorn

from bot.commands._common import EXIT_CONFIG, load_or_exit, require_migrated
from bot.container import build_container, load_web_app

__all__ = ["serve", "worker"]

log = logging.getLogger(__name__)


@click.command()
@click.option("--host", default=None, help="Listen address (default CPNI_HOST, 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Listen port (default CPNI_PORT, 3000).")
@click.option(
    "--workers",
    "worker_threads",
    type=click.IntRange(0, 64),
    default=1,
    show_default=True,
    help="Worker threads inside this process (0: none).",
)
@click.option(
    "--slack-socket-mode",
    is_flag=True,
    help="Also receive Slack events over Socket Mode (needs SLACK_APP_TOKEN, an xapp- token).",
)
def serve(host: str | None, port: int | None, worker_threads: int, slack_socket_mode: bool) -> None:
    """Run the web server (webhooks, Slack events, pages) with in-process workers."""
    config = load_or_exit()
    if slack_socket_mode and config.settings.slack_app_token is None:
        click.echo(
            "cpni-guard: --slack-socket-mode needs SLACK_APP_TOKEN (an xapp- token)", err=True
        )
        sys.exit(EXIT_CONFIG)
    container = build_container(config)
    container.options["slack_socket_mode"] = slack_socket_mode
    require_migrated(container.database, auto_migrate_sqlite=True)
    stop = threading.Event()
    threads = []
    if config.settings.worker_in_process:
        for _ in range(worker_threads):
            w = container.new_worker()
            t = threading.Thread(
                target=w.run_forever,
                args=(stop,),
                kwargs={"poll_seconds": config.settings.worker_poll_seconds},
                name=f"worker-{w.worker_id}",
                daemon=True,
            )
            t.start()
            threads.append(t)
    app = load_web_app(container)
    try:
        uvicorn.run(
            app,
            host=host or config.settings.host,
            port=port or config.settings.port,
            log_config=None,
            access_log=False,
        )
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=10)


@click.command()
@click.option(
    "--threads",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker threads in this process.",
)
@click.option("--once", is_flag=True, help="Process what is ready, then exit.")
def worker(threads: int, once: bool) -> None:
    """Run extra queue workers (scale-out on PostgreSQL; safe to run many)."""
    config = load_or_exit()
    container = build_container(config)
    require_migrated(container.database, auto_migrate_sqlite=True)
    if once:
        handled = container.new_worker().run_until_idle()
        click.echo(f"processed {handled} item(s)")
        return
    stop = threading.Event()

    def _stop(signum: int, _frame: FrameType | None) -> None:
        log.info("stopping workers", extra={"signal": signum})
        stop.set()
        container.wake_workers()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    pool = [
        threading.Thread(
            target=container.new_worker().run_forever,
            args=(stop,),
            kwargs={"poll_seconds": config.settings.worker_poll_seconds},
        )
        for _ in range(threads)
    ]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
