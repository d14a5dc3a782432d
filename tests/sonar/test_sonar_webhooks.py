"""Sonar change webhooks: path secret, allow-list, store-then-ack, re-fetch, one notice."""

from __future__ import annotations

from fake_sonar import FakeSonar
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sonar_support import WEBHOOK_SECRET, make_container, make_gateway
from sqlalchemy import func, select

from bot.container import Container
from bot.services.sonar_sync import sync_accounts
from bot.storage.accounts import EmailAddress
from bot.storage.db import Database
from bot.storage.notices import Notice
from bot.storage.queues import InboxItem, OutboxItem
from handlers.sonar import router
from handlers.sonar.worker import routing_for

from fakes import FrozenClock

PATH = f"/sonar/webhook/{WEBHOOK_SECRET}"


def _client(container: Container) -> TestClient:
    app = FastAPI()
    app.include_router(router(container))
    return TestClient(app)


def _inbox(container: Container) -> int:
    with container.database.transaction() as session:
        return (
            session.scalar(
                select(func.count()).select_from(InboxItem).where(InboxItem.source == "sonar")
            )
            or 0
        )


def _seeded(container: Container, sonar: FakeSonar, clock: FrozenClock) -> tuple[str, str]:
    account = sonar.data.add_account("Pat Doe", email="old@example.net", username="pat")
    gateway = make_gateway(sonar)
    sync_accounts(container.database, gateway, routing=routing_for(container, gateway), now=clock())
    clock.advance(days=45)  # the old email is now an address of record (R10)
    return account, sonar.data.primary_contact(account)["id"]


def _payload(contact_id: str, version: str, email: str = "evil@example.net") -> dict:
    return {
        "event": "contact.updated",
        "object_id": int(contact_id),
        "current": {"_version": version, "email_address": email, "contactable_id": 1},
    }


def test_an_email_change_by_webhook_notifies_the_old_email_once(
    container: Container, sonar: FakeSonar, clock: FrozenClock
) -> None:
    """The worker re-reads Sonar and queues one notice to the prior address of record (R22, R24)."""
    _, contact = _seeded(container, sonar, clock)
    sonar.data.update_contact(contact, email_address="new@example.net")
    version = sonar.data.tables["contacts"][contact]["_version"]
    response = _client(container).post(PATH, json=_payload(contact, version))
    assert response.status_code == 200 and response.json() == {"status": "accepted"}
    container.new_worker().run_until_idle()
    with container.database.transaction() as session:
        notices = session.scalars(select(Notice)).all()
        assert [(n.kind, n.channel, n.state) for n in notices] == [
            ("email_address", "email", "queued")
        ]
        old = session.scalars(
            select(EmailAddress).where(EmailAddress.address == "old@example.net")
        ).one()
        assert notices[0].destination_id == old.id
        assert (
            session.scalar(
                select(func.count())
                .select_from(EmailAddress)
                .where(EmailAddress.address == "evil@example.net")
            )
            == 0
        )  # the payload's value was never trusted


def test_a_redelivered_webhook_changes_nothing(
    container: Container, sonar: FakeSonar, clock: FrozenClock
) -> None:
    """Sonar's minute-by-minute redeliveries are deduplicated; no second notice appears."""
    _, contact = _seeded(container, sonar, clock)
    sonar.data.update_contact(contact, email_address="new@example.net")
    version = sonar.data.tables["contacts"][contact]["_version"]
    client = _client(container)
    assert client.post(PATH, json=_payload(contact, version)).json()["status"] == "accepted"
    container.new_worker().run_until_idle()
    for _ in range(3):
        clock.advance(minutes=1)
        again = client.post(PATH, json=_payload(contact, version))
        assert again.status_code == 200 and again.json() == {"status": "duplicate"}
    other = client.post(PATH, json=_payload(contact, "other-version"))  # same change, new key
    assert other.json()["status"] == "accepted"
    container.new_worker().run_until_idle()
    with container.database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Notice)) == 1
    assert _inbox(container) == 2


def test_a_forged_secret_gets_404_and_stores_nothing(
    container: Container, sonar: FakeSonar, clock: FrozenClock
) -> None:
    """A wrong path secret is answered 404 on HEAD and POST, and nothing reaches the inbox."""
    client = _client(container)
    forged = "/sonar/webhook/" + "x" * len(WEBHOOK_SECRET)
    assert client.head(forged).status_code == 404
    assert client.post(forged, json=_payload("1001", "2")).status_code == 404
    assert client.post(PATH[:-1], json=_payload("1001", "2")).status_code == 404
    assert client.head(PATH).status_code == 200
    assert _inbox(container) == 0


def test_the_source_allow_list_refuses_other_addresses(
    database, sonar: FakeSonar, clock: FrozenClock
) -> None:
    """With an allow-list, a request from elsewhere is answered 404 and stores nothing."""
    container = make_container(
        database, sonar, clock, CPNI_SONAR_WEBHOOK_ALLOW_IPS="203.0.113.0/24"
    )
    response = _client(container).post(PATH, json=_payload("1001", "2"))
    assert response.status_code == 404
    assert _inbox(container) == 0


def test_a_malformed_body_is_refused_with_a_reason(container: Container) -> None:
    """A body without an event or a numeric object id gets 400 and is not stored."""
    client = _client(container)
    assert client.post(PATH, content=b"not json").status_code == 400
    bad = client.post(PATH, json={"event": "contact.updated", "object_id": "x;drop"})
    assert bad.status_code == 400 and "object_id" in bad.json()["error"]
    assert _inbox(container) == 0


def test_every_worker_queues_one_sonar_tick_per_minute(
    database: Database, sonar: FakeSonar, clock: FrozenClock
) -> None:
    """The logs backstop runs from the workers' periodic job, one tick per minute slot."""
    first = make_container(database, sonar, clock).new_worker()
    second = make_container(database, sonar, clock).new_worker()
    first._run_periodic()
    second._run_periodic()
    with database.transaction() as session:
        ticks = session.scalars(
            select(OutboxItem.idempotency_key).where(OutboxItem.kind == "sonar.tick")
        ).all()
    assert len(ticks) == 1
