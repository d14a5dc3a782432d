"""SMS notices through the twilio client, over real HTTP to a local fake of Twilio (R11, R22)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from notify_fixtures import (
    REPORT_CONTACT,
    TWILIO_SID,
    TWILIO_TOKEN,
    FakeTwilio,
    make_container,
    running_fake_twilio,
    seed_account,
)
from sqlalchemy import select

from bot.domain.audit import AuditAction
from bot.domain.notifications import AccountChange, ChangeKind, Channel, NoticeState
from bot.errors import RetryLaterError
from bot.services.notices import record_change
from bot.storage.db import Database
from bot.storage.notices import Notice
from bot.storage.records import AuditEventRow
from bot.worker import ClaimedItem
from handlers.notify.sms import SmsSender

from fakes import FrozenClock

SERVICE = "+12175550100"
CONTACT = "+12175550999"


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    """Twilio's Messages endpoint on 127.0.0.1."""
    yield from running_fake_twilio()


def _seed_and_record(database: Database, clock: FrozenClock, twilio: FakeTwilio):  # type: ignore[no-untyped-def]
    seed_account(
        database,
        "ACC-5150",
        now=clock(),
        phones=((CONTACT, "contact", 900), (SERVICE, "service", 400)),
    )
    container = make_container(database, clock, twilio=twilio)
    change = AccountChange(
        kind=ChangeKind.PHONE_NUMBER_OF_RECORD,
        account_number="ACC-5150",
        occurred_at=clock(),
        source="test",
        event_id="e1",
        actor="agent-7",
        new_value="+13075550177",
    )
    with database.transaction() as session:
        decision = record_change(session, change, policy=container.config.policy, now=clock())
    return container, decision


def test_a_notice_is_texted_to_the_service_number_never_the_contact_number(
    database: Database, clock: FrozenClock, fake_twilio: FakeTwilio
) -> None:
    """The SMS goes to the telephone number of record and names no number (R11, R23)."""
    container, decision = _seed_and_record(database, clock, fake_twilio)
    assert decision.channel is Channel.SMS
    container.new_worker().run_until_idle()
    [sms] = fake_twilio.messages
    assert sms["To"] == SERVICE and sms["From"] == "+15005550006"
    assert REPORT_CONTACT in sms["Body"] and "telephone number of record" in sms["Body"]
    assert "5550177" not in sms["Body"] and "0100" not in sms["Body"]
    with database.transaction() as session:
        notice = session.scalars(select(Notice)).one()
        assert notice.state == NoticeState.SENT and notice.provider_ref.startswith("SM")


def test_twilio_429_waits_for_retry_after_then_sends_once(
    database: Database, clock: FrozenClock, fake_twilio: FakeTwilio
) -> None:
    """A 429 is retried after Twilio's Retry-After and the message is then sent exactly once."""
    fake_twilio.script.append((429, {"Retry-After": "120"}, {"code": 20429}))
    container, _ = _seed_and_record(database, clock, fake_twilio)
    worker = container.new_worker()
    worker.run_until_idle()
    assert fake_twilio.messages == []
    clock.advance(seconds=119)
    worker.run_until_idle()
    assert fake_twilio.messages == []
    clock.advance(seconds=2)
    worker.run_until_idle()
    worker.run_until_idle()
    assert len(fake_twilio.messages) == 1


def test_a_server_error_is_retryable_and_carries_no_number(fake_twilio: FakeTwilio) -> None:
    """Twilio 5xx raises RetryLaterError naming the status, not the destination."""
    fake_twilio.script.append((503, {}, {"code": 20503, "message": "down"}))
    sender = SmsSender(
        account_sid=TWILIO_SID,
        auth_token=TWILIO_TOKEN,
        from_number="+15005550006",
        api_url=fake_twilio.url,
    )
    with pytest.raises(RetryLaterError) as caught:
        sender.send(to=SERVICE, body="hello")
    assert str(caught.value) == "twilio 503 code 20503" and SERVICE not in str(caught.value)


def test_an_invalid_number_fails_the_notice_for_staff(
    database: Database, clock: FrozenClock, fake_twilio: FakeTwilio
) -> None:
    """A 400 (Twilio 21211, invalid number) is permanent: the notice fails and is audited."""
    fake_twilio.script.append((400, {}, {"code": 21211, "message": "invalid 'To'"}))
    container, decision = _seed_and_record(database, clock, fake_twilio)
    container.new_worker().run_until_idle()
    with database.transaction() as session:
        assert session.get(Notice, decision.notice_id).state == NoticeState.FAILED  # type: ignore[union-attr]
        failed = session.scalars(
            select(AuditEventRow).where(AuditEventRow.action == AuditAction.NOTICE_FAILED)
        ).one()
    assert failed.details["error"] == "twilio 400 code 21211" and failed.method == "sms"


def test_without_twilio_settings_sms_notices_go_to_staff(
    database: Database, clock: FrozenClock
) -> None:
    """An SMS notice queued while Twilio is not configured waits for staff, not a dead letter."""
    seed_account(database, "ACC-5150", now=clock(), phones=((SERVICE, "service", 400),))
    container = make_container(database, clock)
    change = AccountChange(
        kind=ChangeKind.PIN,
        account_number="ACC-5150",
        occurred_at=clock(),
        source="test",
        event_id="e1",
        actor="agent-7",
    )
    with database.transaction() as session:
        decision = record_change(session, change, policy=container.config.policy, now=clock())
    handler = container.registry.outbox["notify.sms"]
    item = ClaimedItem(
        id=0, kind="notify.sms", payload={"notice_id": decision.notice_id, "seq": 1}, attempts=1
    )
    assert handler(item) == {"delivered": False, "why": "channel_not_configured"}
    with database.transaction() as session:
        notice = session.get(Notice, decision.notice_id)
        assert notice is not None and notice.state == NoticeState.PENDING_STAFF
        assert notice.reason == "channel_not_configured"
