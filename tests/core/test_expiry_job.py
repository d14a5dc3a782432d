"""The worker's built-in job lapses verifications when their time is up (R17)."""

from __future__ import annotations

from test_conversations import KEY, _account

from bot.config import load_config
from bot.container import build_container
from bot.domain.lock import LockState
from bot.services import conversations
from bot.services.conversations import Message
from bot.services.pin_gate import submit_pin
from bot.storage.db import Database

from fakes import FakeVault, FrozenClock


def test_the_expiry_job_relocks_a_verified_thread(database_url: str, clock: FrozenClock) -> None:
    """After the TTL, one worker round turns verified back into locked and queues a note update."""
    container = build_container(
        load_config({"CPNI_DATABASE_URL": database_url}), clock=clock, plugins=False
    )
    database: Database = container.database
    _account(database)
    with database.transaction() as session:
        conversations.screen(
            session,
            key=KEY,
            surface="slack",
            now=clock(),
            detector=container.detector,
            messages=[
                Message(
                    message_id="1", text="A-1001 who called me on Sunday?", author_role="customer"
                )
            ],
        )
    submit_pin(
        database,
        FakeVault({"A-1001": "7302"}),
        key=KEY,
        account_number="A-1001",
        pin="7302",
        actor="U",
        method="agent",
        ttl_minutes=30,
        now=clock(),
    )
    clock.advance(minutes=31)
    container.new_worker().run_once()
    with database.transaction() as session:
        view = conversations.get_view(session, KEY)
    assert view is not None and view.state is LockState.LOCKED
    database.dispose()
