"""Email notices end to end: change -> outbox -> a real SMTP server (aiosmtpd) (R20-R25)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import date

import pytest
from notify_fixtures import (
    REPORT_CONTACT,
    SmtpSink,
    bodies,
    make_container,
    retire,
    running_smtp_sink,
    seed_account,
)
from sqlalchemy import select

from bot.domain.audit import AuditAction
from bot.domain.notifications import AccountChange, ChangeKind, Channel, NoticeState
from bot.services.notice_delivery import export_letters
from bot.services.notice_views import pending_notices
from bot.services.notices import record_change, resend_notice
from bot.storage.accounts import EmailAddress, PostalAddress
from bot.storage.db import Database
from bot.storage.notices import Notice
from bot.storage.queues import OutboxItem
from bot.storage.records import AuditEventRow
from bot.worker import ClaimedItem

from fakes import FrozenClock


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A real SMTP server on 127.0.0.1 collecting mail."""
    yield from running_smtp_sink()


NEW_ADDRESS = ("4471 Quillfeather Boulevard", "Apt 9B", "Marrowdale", "WY", "83014")


def _change(clock: FrozenClock, kind: ChangeKind, event: str, **kw: object) -> AccountChange:
    return AccountChange(
        kind=kind,
        account_number="ACC-7731",
        occurred_at=clock(),
        source="test",
        event_id=event,
        actor="agent-7",
        **kw,  # type: ignore[arg-type]
    )


def _record(container, change: AccountChange):  # type: ignore[no-untyped-def]
    with container.database.transaction() as session:
        return record_change(session, change, policy=container.config.policy, now=container.clock())


def _audit(database: Database, action: AuditAction) -> list[AuditEventRow]:
    with database.transaction() as session:
        query = select(AuditEventRow).where(AuditEventRow.action == action)
        return list(session.scalars(query))


def test_an_address_change_notifies_the_prior_contact_without_the_new_address(
    database: Database, clock: FrozenClock, smtp_sink: SmtpSink
) -> None:
    """A postal change is mailed to the email of record; no part of the new address (R23, R24)."""
    seed_account(
        database,
        "ACC-7731",
        now=clock(),
        emails=(("pat@old-home.example", 400),),
        postal=(("12 Oak Lane", "62701", 400), (f"{NEW_ADDRESS[0]} {NEW_ADDRESS[1]}", "83014", 0)),
    )
    container = make_container(database, clock, smtp=smtp_sink)
    flat = ", ".join(NEW_ADDRESS)
    decision = _record(container, _change(clock, ChangeKind.POSTAL_ADDRESS, "e1", new_value=flat))
    assert decision.channel is Channel.EMAIL
    container.new_worker().run_until_idle()
    [(recipients, message)] = smtp_sink.messages
    assert recipients == ["pat@old-home.example"]
    text = bodies(message)
    assert "postal address of record" in text and REPORT_CONTACT in text
    for part in [*NEW_ADDRESS, *NEW_ADDRESS[0].split()]:
        if len(part) >= 4:
            assert part not in text


def test_an_address_change_without_email_queues_a_letter_to_the_old_address(
    database: Database, clock: FrozenClock, smtp_sink: SmtpSink
) -> None:
    """With no email or SMS of record, staff get a letter to the OLD postal address (R22, R24)."""
    seed_account(
        database,
        "ACC-7731",
        now=clock(),
        postal=(("12 Oak Lane", "62701", 400), ("4471 Quillfeather Boulevard", "83014", 0)),
    )
    retire(database, PostalAddress, "line1", "12 Oak Lane", clock())
    container = make_container(database, clock, smtp=smtp_sink)
    new = "4471 Quillfeather Boulevard, Marrowdale, WY 83014"
    decision = _record(container, _change(clock, ChangeKind.POSTAL_ADDRESS, "e1", new_value=new))
    assert (decision.state, decision.channel) == (NoticeState.PENDING_STAFF, Channel.LETTER)
    with database.transaction() as session:
        assert [v.id for v in pending_notices(session)] == [decision.notice_id]
        out = io.StringIO()
        assert export_letters(session, out, now=clock(), actor="ops", mark_sent=True) == 1
    csv_text = out.getvalue()
    assert "12 Oak Lane" in csv_text and "Quillfeather" not in csv_text
    assert smtp_sink.messages == []
    assert [r.method for r in _audit(database, AuditAction.NOTICE_SENT)] == ["letter"]


def test_an_email_change_notifies_the_old_email_not_the_new_one(
    database: Database, clock: FrozenClock, smtp_sink: SmtpSink
) -> None:
    """The old email gets the notice; the new one gets nothing and is not mentioned (R24)."""
    seed_account(
        database,
        "ACC-7731",
        now=clock(),
        emails=(("pat@old-home.example", 400), ("hijack@evil-mail.example", 0)),
    )
    retire(database, EmailAddress, "address", "pat@old-home.example", clock())
    container = make_container(database, clock, smtp=smtp_sink)
    change = _change(clock, ChangeKind.EMAIL_ADDRESS, "e1", new_value="hijack@evil-mail.example")
    _record(container, change)
    container.new_worker().run_until_idle()
    [(recipients, message)] = smtp_sink.messages
    assert recipients == ["pat@old-home.example"]
    assert "hijack" not in bodies(message) and "evil-mail" not in bodies(message)


def test_a_pin_change_at_service_start_sends_nothing_and_says_why(
    database: Database, clock: FrozenClock, smtp_sink: SmtpSink
) -> None:
    """The first PIN at activation is not notified; the skip is audited with its reason (R21)."""
    seed_account(
        database,
        "ACC-7731",
        now=clock(),
        service_start=clock().date(),
        emails=(("pat@old-home.example", 400),),
    )
    container = make_container(database, clock, smtp=smtp_sink)
    decision = _record(container, _change(clock, ChangeKind.PIN, "e1"))
    container.new_worker().run_until_idle()
    assert (decision.state, decision.reason) == (NoticeState.SKIPPED, "service_initiation")
    assert smtp_sink.messages == []
    [skip] = _audit(database, AuditAction.NOTICE_SKIPPED)
    assert skip.details["reason"] == "service_initiation"


def test_a_later_pin_change_sends_exactly_one_notice(
    database: Database, clock: FrozenClock, smtp_sink: SmtpSink
) -> None:
    """A PIN change months after service start sends one mail, audited as sent (R20, R31)."""
    seed_account(
        database,
        "ACC-7731",
        now=clock(),
        service_start=date(2025, 6, 1),
        emails=(("pat@old-home.example", 400),),
    )
    container = make_container(database, clock, smtp=smtp_sink)
    first = _record(container, _change(clock, ChangeKind.PIN, "e1"))
    again = _record(container, _change(clock, ChangeKind.PIN, "e1"))
    container.new_worker().run_until_idle()
    container.new_worker().run_until_idle()
    assert again.duplicate and again.notice_id == first.notice_id
    assert len(smtp_sink.messages) == 1
    [sent] = _audit(database, AuditAction.NOTICE_SENT)
    assert sent.method == "email" and sent.details["sent_to_prior_contact"] is True
    assert "PIN on your account was changed" in bodies(smtp_sink.messages[0][1])


def test_an_email_on_file_under_30_days_is_not_used(
    database: Database, clock: FrozenClock, smtp_sink: SmtpSink
) -> None:
    """An email added 10 days ago is not an address of record: no mail, staff instead (R10)."""
    seed_account(database, "ACC-7731", now=clock(), emails=(("fresh@example.net", 10),))
    container = make_container(database, clock, smtp=smtp_sink)
    decision = _record(container, _change(clock, ChangeKind.PASSWORD, "e1"))
    container.new_worker().run_until_idle()
    assert decision.state is NoticeState.PENDING_STAFF
    assert smtp_sink.messages == []


def test_smtp_down_for_a_while_delays_but_delivers_each_notice_once(
    database: Database, clock: FrozenClock
) -> None:
    """Notices wait while SMTP is down and are all delivered, none twice, once it is back."""
    emails = tuple((f"cust{i}@example.org", 400) for i in range(3))
    for i, (address, days) in enumerate(emails):
        seed_account(database, f"ACC-{i}", now=clock(), emails=((address, days),))
    sink = SmtpSink()  # not started: the server is down
    container = make_container(database, clock, smtp=sink)
    for i in range(3):
        change = _change(clock, ChangeKind.PIN, f"e{i}")
        _record(container, AccountChange(**{**_asdict(change), "account_number": f"ACC-{i}"}))
    worker = container.new_worker()
    for _ in range(3):
        worker.run_until_idle()
        clock.advance(hours=1)
    with database.transaction() as session:
        assert {n.state for n in session.scalars(select(Notice))} == {"queued"}
    sink.start()
    try:
        worker.run_until_idle()
        clock.advance(hours=1)
        worker.run_until_idle()
        worker.run_until_idle()
    finally:
        sink.stop()
    assert sorted(r[0] for r, _ in sink.messages) == [a for a, _ in emails]
    assert len(_audit(database, AuditAction.NOTICE_SENT)) == 3
    retrying = [r for r in _audit(database, AuditAction.NOTICE_FAILED) if r.outcome == "retrying"]
    assert len(retrying) >= 3


def _asdict(change: AccountChange) -> dict[str, object]:
    return {f: getattr(change, f) for f in change.__dataclass_fields__}


def test_a_replayed_delivery_sends_nothing_more(
    database: Database, clock: FrozenClock, smtp_sink: SmtpSink
) -> None:
    """A delivery handled twice (lost lease, replayed effect) sends one mail only."""
    seed_account(database, "ACC-7731", now=clock(), emails=(("pat@old-home.example", 400),))
    container = make_container(database, clock, smtp=smtp_sink)
    decision = _record(container, _change(clock, ChangeKind.BACKUP_ANSWER, "e1"))
    item = ClaimedItem(
        id=0, kind="notify.email", payload={"notice_id": decision.notice_id, "seq": 1}, attempts=1
    )
    handler = container.registry.outbox["notify.email"]
    assert handler(item) == {
        "delivered": True,
        "ref": f"<notice-{decision.notice_id}-1@telco.example>",
    }
    assert handler(item) == {"delivered": False, "why": "not_queued"}
    assert len(smtp_sink.messages) == 1


def test_a_refused_recipient_fails_the_notice_and_resend_delivers_it_again(
    database: Database, clock: FrozenClock
) -> None:
    """A 550 refusal fails the notice (pending for staff); a resend queues a second delivery."""

    class Refuse:
        async def handle_RCPT(self, server, session, envelope, address, options):
            return "550 5.1.1 no such user"

    sink = SmtpSink()
    sink.controller.handler = Refuse()
    sink.start()
    try:
        seed_account(database, "ACC-7731", now=clock(), emails=(("pat@old-home.example", 400),))
        container = make_container(database, clock, smtp=sink)
        decision = _record(container, _change(clock, ChangeKind.ONLINE_ACCOUNT, "e1"))
        container.new_worker().run_until_idle()
    finally:
        sink.stop()
    [failed] = [r for r in _audit(database, AuditAction.NOTICE_FAILED) if r.outcome == "failed"]
    assert failed.details["error"] == "smtp recipient refused (550)"
    with database.transaction() as session:
        assert [v.state for v in pending_notices(session)] == ["failed"]
        again = resend_notice(
            session, decision.notice_id, policy=container.config.policy, now=clock(), actor="ops"
        )
    assert again is not None and again.state is NoticeState.QUEUED
    with database.transaction() as session:
        keys = sorted(session.scalars(select(OutboxItem.idempotency_key)))
    assert keys == [f"notice:{decision.notice_id}:1", f"notice:{decision.notice_id}:2"]


def test_smtp_login_uses_the_configured_credentials(database: Database, clock: FrozenClock) -> None:
    """With CPNI_SMTP_USERNAME/PASSWORD set, the sender logs in before sending."""
    seen: list[tuple[str, str]] = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult  # noqa: PLC0415

        seen.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=auth_data.password == b"mail-pass")

    sink = SmtpSink(authenticator=authenticator, auth_require_tls=False)
    sink.start()
    try:
        seed_account(database, "ACC-7731", now=clock(), emails=(("pat@old-home.example", 400),))
        container = make_container(
            database,
            clock,
            smtp=sink,
            CPNI_SMTP_USERNAME="notices",
            CPNI_SMTP_PASSWORD="mail-pass",
        )
        _record(container, _change(clock, ChangeKind.PIN, "e1"))
        container.new_worker().run_until_idle()
    finally:
        sink.stop()
    assert seen == [("notices", "mail-pass")] and len(sink.messages) == 1


def test_no_new_value_secret_or_message_text_is_kept_anywhere(
    database: Database,
    clock: FrozenClock,
    smtp_sink: SmtpSink,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """After a full flow, audit, notices, outbox and logs hold no new value, secret or body."""
    caplog.set_level(logging.DEBUG)
    seed_account(database, "ACC-7731", now=clock(), emails=(("pat@old-home.example", 400),))
    container = make_container(
        database, clock, smtp=smtp_sink, CPNI_SMTP_USERNAME="u", CPNI_SMTP_PASSWORD="s3cr3t-pw"
    )
    new = "zz-intruder@takeover.example"
    _record(container, _change(clock, ChangeKind.EMAIL_ADDRESS, "e1", new_value=new))
    container.new_worker().run_until_idle()
    with database.transaction() as session:
        stored = [
            json.dumps([r.details, r.outcome, r.method])
            for r in session.scalars(select(AuditEventRow))
        ]
        stored += [repr(n.__dict__) for n in session.scalars(select(Notice))]
        stored += [
            json.dumps([o.payload, o.result, o.last_error])
            for o in session.scalars(select(OutboxItem))
        ]
    stored.append(caplog.text)
    everything = "\n".join(stored)
    for forbidden in ("intruder", "takeover", "s3cr3t-pw", "was changed", "report"):
        assert forbidden not in everything
