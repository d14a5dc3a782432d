"""Incidents open from the audit stream, alert Slack and email, and follow the breach clock."""

from __future__ import annotations

import email
import email.policy
import io
import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from alert_fakes import FakeSlack, smtp_server
from sqlalchemy import select

from bot.config import AppConfig, Settings
from bot.container import Container, build_container
from bot.domain.audit import AuditAction, AuditEvent
from bot.domain.incidents import BreachRule, IncidentState
from bot.errors import IllegalTransitionError
from bot.policy import Policy
from bot.services import audit_tools
from bot.services.incidents import IncidentUpdate, list_views, update_incident
from bot.storage.audit_log import append
from bot.storage.compliance import IncidentRow
from bot.storage.db import Database
from bot.storage.queues import OutboxItem
from bot.storage.records import AuditEventRow
from handlers import alerts

from fakes import FrozenClock

BOT_TOKEN = "xoxb-alert-token-do-not-leak"
SMTP_PASSWORD = "smtp-password-do-not-leak"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    """A running fake Slack Web API."""
    with FakeSlack().running() as fake:
        yield fake


@pytest.fixture
def smtp() -> Iterator[tuple[int, list[bytes]]]:
    """A running SMTP server."""
    with smtp_server() as server:
        yield server


@pytest.fixture
def container(
    database_url: str, clock: FrozenClock, slack: FakeSlack, smtp: tuple[int, list[bytes]]
) -> Iterator[Container]:
    """A container whose alerts go to the fakes, with only the compliance handlers."""
    settings = Settings.model_validate(
        {
            "database_url": database_url,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": "signing",
            "SLACK_API_URL": slack.url,
            "alert_slack_channel": "C0ALERTS",
            "alert_email": "officer@carrier.example",
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp[0],
            "smtp_security": "none",
            "smtp_username": "bot",
            "smtp_password": SMTP_PASSWORD,
            "smtp_sender": "cpni-guard@carrier.example",
        }
    )
    built = build_container(AppConfig(settings, Policy()), clock=clock, plugins=False)
    alerts.register(built)
    yield built
    built.database.dispose()


def _audit(database: Database, action: AuditAction, clock: FrozenClock, **kw: object) -> None:
    with database.transaction() as session:
        append(session, AuditEvent(occurred_at=clock(), actor="slack:T1/U7", action=action, **kw))  # type: ignore[arg-type]


def _incidents(database: Database) -> list[IncidentRow]:
    with database.transaction() as session:
        return list(session.scalars(select(IncidentRow).order_by(IncidentRow.id)))


def test_disclosure_while_locked_opens_one_incident_and_alerts_once(
    container: Container, clock: FrozenClock, slack: FakeSlack, smtp: tuple[int, list[bytes]]
) -> None:
    """The first signal opens an incident and alerts Slack and email; a repeat joins it (R27)."""
    db = container.database
    _audit(
        db,
        AuditAction.DISCLOSED_WHILE_LOCKED,
        clock,
        conversation_key="zendesk:acme/42",
        account_number="A-9",
    )
    container.new_worker().run_until_idle()
    clock.advance(minutes=5)
    _audit(
        db,
        AuditAction.DISCLOSED_WHILE_LOCKED,
        clock,
        conversation_key="zendesk:acme/42",
        account_number="A-9",
    )
    container.new_worker().run_until_idle()
    (incident,) = _incidents(db)
    assert incident.kind == "disclosed_while_locked" and incident.state == "open"
    assert len(incident.evidence) == 2
    assert len(slack.posts) == 1 and slack.posts[0]["channel"] == "C0ALERTS"
    assert f"incident #{incident.id}" in slack.posts[0]["text"]
    (raw,) = smtp[1]
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    assert mail["To"] == "officer@carrier.example"
    plain = mail.get_body(preferencelist=("plain",))
    assert plain is not None and f"incidents show {incident.id}" in plain.get_content()


def test_repeated_lockouts_open_an_incident(container: Container, clock: FrozenClock) -> None:
    """A second lockout of the same account within 24 hours opens repeated_lockouts (R26)."""
    db = container.database
    _audit(db, AuditAction.PIN_LOCKOUT, clock, account_number="A-1")
    _audit(db, AuditAction.PIN_LOCKOUT, clock, account_number="A-2")
    container.new_worker().run_until_idle()
    assert _incidents(db) == []
    clock.advance(hours=3)
    _audit(db, AuditAction.PIN_LOCKOUT, clock, account_number="A-1")
    container.new_worker().run_until_idle()
    (incident,) = _incidents(db)
    assert (incident.kind, incident.subject) == ("repeated_lockouts", "account:A-1")


def test_slack_429_is_retried_after_the_asked_delay(
    container: Container, clock: FrozenClock, slack: FakeSlack
) -> None:
    """A rate-limited alert waits Retry-After seconds and is then delivered once."""
    slack.throttle = 1
    _audit(container.database, AuditAction.POSSIBLE_PRETEXTING, clock, account_number="A-3")
    container.new_worker().run_until_idle()
    assert slack.posts == []
    clock.advance(seconds=7)
    container.new_worker().run_until_idle()
    assert len(slack.posts) == 1


def test_breach_workflow_follows_the_2007_clock(container: Container, clock: FrozenClock) -> None:
    """Determine a breach, report it, hold customer notice 7 full business days, close (R35)."""
    db = container.database
    _audit(
        db,
        AuditAction.CPNI_MISDIRECTED,
        clock,
        conversation_key="zendesk:acme/7",
        account_number="A-5",
    )
    container.new_worker().run_until_idle()
    (row,) = _incidents(db)

    def update(**kw: object) -> object:
        with db.transaction() as session:
            return update_incident(
                session,
                row.id,
                change=IncidentUpdate(**kw),
                actor="cli:officer",  # type: ignore[arg-type]
                now=clock(),
                rule=BreachRule.RULE_2007,
            )

    update(state=IncidentState.UNDER_REVIEW, note="checking ticket 7")
    view = update(state=IncidentState.BREACH_DETERMINED, note="CPNI of A-5 in another ticket")
    assert view.clock is not None and view.clock.agencies == ("USSS", "FBI")  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="held until"):
        update(customer_notified_at=clock())
    reported = clock()
    update(agency_notified_at=reported)
    with pytest.raises(ValueError, match="held until"):
        update(customer_notified_at=reported + timedelta(days=2))
    with pytest.raises(ValueError, match="customer notice"):
        update(state=IncidentState.CLOSED, note="done")
    update(customer_notified_at=reported + timedelta(days=10))
    closed = update(state=IncidentState.CLOSED, note="notices complete")
    assert closed.state is IncidentState.CLOSED  # type: ignore[attr-defined]
    assert closed.retain_until == clock() + timedelta(days=730)  # type: ignore[attr-defined]
    with pytest.raises(IllegalTransitionError):
        update(state=IncidentState.OPEN)


def test_refused_update_changes_nothing(container: Container, clock: FrozenClock) -> None:
    """A notice recorded before a breach is determined is refused and the incident is untouched."""
    db = container.database
    _audit(db, AuditAction.POSSIBLE_PRETEXTING, clock, account_number="A-3")
    container.new_worker().run_until_idle()
    (row,) = _incidents(db)
    with pytest.raises(ValueError, match="determined"), db.transaction() as session:
        update_incident(
            session,
            row.id,
            change=IncidentUpdate(agency_notified_at=clock()),
            actor="cli:officer",
            now=clock(),
            rule=BreachRule.RULE_2007,
        )
    (after,) = _incidents(db)
    assert after.agency_notified_at is None and after.history == row.history


def test_no_secret_leaves_the_flow(
    container: Container,
    clock: FrozenClock,
    slack: FakeSlack,
    smtp: tuple[int, list[bytes]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """After the flow no token or password is in the audit, outbox, alerts, export or logs."""
    db = container.database
    _audit(
        db,
        AuditAction.DISCLOSED_WHILE_LOCKED,
        clock,
        conversation_key="slack:T1/C1/1.2",
        account_number="A-1",
    )
    container.new_worker().run_until_idle()
    with db.transaction() as session:
        views = list_views(session, now=clock())
        update_incident(
            session,
            views[0].id,
            change=IncidentUpdate(state=IncidentState.UNDER_REVIEW),
            actor="cli:officer",
            now=clock(),
            rule=BreachRule.RULE_2007,
        )
    out = io.StringIO()
    audit_tools.export_events(db, out, fmt="jsonl", actor="cli:officer", now=clock())
    with db.transaction() as session:
        audit_rows = [
            json.dumps(r.details) + str(r.actor) for r in session.scalars(select(AuditEventRow))
        ]
        outbox = [json.dumps([o.payload, o.result]) for o in session.scalars(select(OutboxItem))]
    haystack = "\n".join(
        [
            *audit_rows,
            *outbox,
            *slack.raw,
            *(m.decode() for m in smtp[1]),
            out.getvalue(),
            caplog.text,
        ]
    )
    assert slack.posts and smtp[1]  # the flow really ran
    for secret in (BOT_TOKEN, SMTP_PASSWORD):
        assert secret not in haystack
