"""Possible-breach incidents: opened from the audit stream, worked by the compliance officer.

:func:`check_event` runs the rules of :mod:`bot.domain.incidents` on one audit event (the
worker calls it for the inbox item :func:`bot.storage.audit_log.append` leaves for each
incident-relevant event). A new incident is audited and alerts the configured Slack channel
and email address through the outbox (effect kinds ``alert.slack`` and ``alert.email``). A
repeat signal about the same subject joins the open incident instead of opening another.

:func:`update_incident` moves an incident through its workflow and records the breach notices
under the breach clock (R35, or R36 behind ``CPNI_BREACH_RULE=2023``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.domain.audit import AuditAction, AuditEvent
from bot.domain.incidents import (
    BreachClock,
    BreachRule,
    IncidentRules,
    IncidentState,
    breach_clock,
    candidate_for,
    check_transition,
    retain_until,
)
from bot.storage import incidents as repo
from bot.storage.audit_log import append, to_event
from bot.storage.compliance import IncidentRow
from bot.storage.records import AuditEventRow
from bot.worker import enqueue_effect

__all__ = [
    "AlertTargets",
    "IncidentUpdate",
    "IncidentView",
    "check_event",
    "get_view",
    "list_views",
    "update_incident",
]

SYSTEM_ACTOR = "system:incidents"


@dataclass(frozen=True, slots=True)
class AlertTargets:
    """Where a new incident is announced (``CPNI_ALERT_SLACK_CHANNEL``, ``CPNI_ALERT_EMAIL``)."""

    slack_channel: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class IncidentView:
    """An incident as the CLI and reports show it, with its breach clock once determined."""

    id: int
    kind: str
    state: IncidentState
    subject: str
    account_number: str | None
    conversation_key: str | None
    summary: str
    evidence: tuple[int, ...]
    history: tuple[dict[str, Any], ...]
    rule: BreachRule
    opened_at: datetime
    updated_at: datetime
    determined_at: datetime | None
    agency_notified_at: datetime | None
    agency_delay_until: datetime | None
    customer_notified_at: datetime | None
    override_reason: str | None
    customers_affected: int | None
    harm_likely: bool | None
    closed_at: datetime | None
    retain_until: datetime | None
    clock: BreachClock | None


def _view(row: IncidentRow, now: datetime) -> IncidentView:
    clock = None
    if row.determined_at is not None:
        clock = breach_clock(
            BreachRule(row.rule),
            determined_at=row.determined_at,
            now=now,
            agency_notified_at=row.agency_notified_at,
            agency_delay_until=row.agency_delay_until,
            override_reason=row.override_reason,
            customers_affected=row.customers_affected,
            harm_likely=row.harm_likely,
        )
    return IncidentView(
        id=row.id,
        kind=row.kind,
        state=IncidentState(row.state),
        subject=row.subject,
        account_number=row.account_number,
        conversation_key=row.conversation_key,
        summary=row.summary,
        evidence=tuple(row.evidence),
        history=tuple(row.history),
        rule=BreachRule(row.rule),
        opened_at=row.opened_at,
        updated_at=row.updated_at,
        determined_at=row.determined_at,
        agency_notified_at=row.agency_notified_at,
        agency_delay_until=row.agency_delay_until,
        customer_notified_at=row.customer_notified_at,
        override_reason=row.override_reason,
        customers_affected=row.customers_affected,
        harm_likely=row.harm_likely,
        closed_at=row.closed_at,
        retain_until=row.retain_until,
        clock=clock,
    )


def check_event(
    session: Session,
    event_id: int,
    *,
    now: datetime,
    rule: BreachRule,
    alerts: AlertTargets,
    rules: IncidentRules | None = None,
) -> IncidentView | None:
    """Run the incident rules on audit event ``event_id``; open or join an incident.

    Returns:
        The incident the event opened or joined, or None when no rule fired (or the event
        is gone, e.g. purged).
    """
    rules = rules or IncidentRules()
    row = session.get(AuditEventRow, event_id)
    if row is None:
        return None
    event = to_event(row)
    prior = 0
    if event.action == AuditAction.PIN_LOCKOUT and event.account_number:
        prior = repo.prior_lockouts(
            session,
            account_number=event.account_number,
            since=event.occurred_at - rules.lockout_window,
            before_id=event_id,
        )
    candidate = candidate_for(event, prior_lockouts=prior, rules=rules)
    if candidate is None:
        return None
    existing = repo.active_incident(session, kind=candidate.kind, subject=candidate.subject)
    if existing is not None:
        if event_id not in existing.evidence:
            existing.evidence = [*existing.evidence, event_id]
            existing.history = [
                *existing.history,
                _entry(now, SYSTEM_ACTOR, existing.state, existing.state, f"event {event_id}"),
            ]
            existing.updated_at = now
        return _view(existing, now)
    incident = IncidentRow(
        kind=candidate.kind.value,
        state=IncidentState.OPEN.value,
        subject=candidate.subject,
        account_number=candidate.account_number,
        conversation_key=candidate.conversation_key,
        summary=candidate.summary,
        evidence=[event_id],
        history=[_entry(now, SYSTEM_ACTOR, None, IncidentState.OPEN, candidate.summary)],
        rule=rule.value,
        opened_at=now,
        updated_at=now,
    )
    session.add(incident)
    session.flush()
    _audit(session, incident, now=now, actor=SYSTEM_ACTOR, action=AuditAction.INCIDENT_OPENED)
    _enqueue_alerts(session, incident, alerts=alerts, now=now)
    return _view(incident, now)


def _entry(
    now: datetime, actor: str, before: str | None, after: str, note: str | None
) -> dict[str, Any]:
    return {"at": now.isoformat(), "actor": actor, "from": before, "to": str(after), "note": note}


def _audit(
    session: Session,
    incident: IncidentRow,
    *,
    now: datetime,
    actor: str,
    action: AuditAction,
    extra: dict[str, Any] | None = None,
) -> None:
    append(
        session,
        AuditEvent(
            occurred_at=now,
            actor=actor,
            action=action,
            conversation_key=incident.conversation_key,
            account_number=incident.account_number,
            outcome=incident.state,
            details={"incident_id": incident.id, "kind": incident.kind, **(extra or {})},
        ),
    )


def _enqueue_alerts(
    session: Session, incident: IncidentRow, *, alerts: AlertTargets, now: datetime
) -> None:
    payload = {
        "incident_id": incident.id,
        "kind": incident.kind,
        "summary": incident.summary,
        "account_number": incident.account_number,
        "conversation_key": incident.conversation_key,
        "opened_at": incident.opened_at.isoformat(),
    }
    if alerts.slack_channel:
        enqueue_effect(
            session,
            key=f"incident:{incident.id}:alert.slack",
            kind="alert.slack",
            payload={**payload, "channel": alerts.slack_channel},
            now=now,
        )
    if alerts.email:
        enqueue_effect(
            session,
            key=f"incident:{incident.id}:alert.email",
            kind="alert.email",
            payload={**payload, "to": alerts.email},
            now=now,
        )


def get_view(session: Session, incident_id: int, *, now: datetime) -> IncidentView | None:
    """One incident with its breach clock as of ``now``, or None."""
    row = repo.get_incident(session, incident_id)
    return None if row is None else _view(row, now)


def list_views(
    session: Session, *, now: datetime, states: list[str] | None = None
) -> list[IncidentView]:
    """Incidents, newest first, optionally only those in ``states``."""
    return [_view(row, now) for row in repo.list_incidents(session, states=states)]


@dataclass(frozen=True, slots=True, kw_only=True)
class IncidentUpdate:
    """What the officer changes; every field left None stays as it is."""

    state: IncidentState | None = None
    note: str | None = None
    agency_notified_at: datetime | None = None
    agency_delay_until: datetime | None = None
    customer_notified_at: datetime | None = None
    override_reason: str | None = None
    customers_affected: int | None = None
    harm_likely: bool | None = None


_BREACH_FIELDS = (
    "agency_notified_at",
    "agency_delay_until",
    "customer_notified_at",
    "override_reason",
    "customers_affected",
    "harm_likely",
)


def update_incident(
    session: Session,
    incident_id: int,
    *,
    change: IncidentUpdate,
    actor: str,
    now: datetime,
    rule: BreachRule,
) -> IncidentView:
    """Apply ``change`` to an incident, enforcing the workflow and the breach clock.

    Args:
        session: the transaction.
        incident_id: which incident.
        change: the new state and/or facts.
        actor: who makes the change (R27: recorded in the audit log).
        now: the current time; a breach is determined at ``now``.
        rule: the breach rule in force (``CPNI_BREACH_RULE``), fixed on determination.

    Raises:
        LookupError: no such incident.
        IllegalTransitionError: the workflow does not allow the change.
        ValueError: a fact that contradicts the clock or the state (nothing is changed).
    """
    row = repo.get_incident(session, incident_id, lock=True)
    if row is None:
        raise LookupError(f"no incident {incident_id}")
    before = IncidentState(row.state)
    target = change.state or before
    if change.state is not None and change.state is not before:
        check_transition(before, target, note=change.note)
    if target is IncidentState.BREACH_DETERMINED and row.determined_at is None:
        row.determined_at, row.rule = now, rule.value
    changed = [f.name for f in fields(change) if f.name in _BREACH_FIELDS]
    changed = [name for name in changed if getattr(change, name) is not None]
    if changed and row.determined_at is None:
        raise ValueError("notices and breach facts are recorded once a breach is determined")
    _apply_facts(row, change, changed, now=now)
    if target is IncidentState.CLOSED and before is IncidentState.BREACH_DETERMINED:
        _check_closable(row, now)
    row.state = target.value
    if target is IncidentState.CLOSED:
        row.closed_at = now
        row.retain_until = retain_until(now)
    row.updated_at = now
    row.history = [*row.history, _entry(now, actor, before, target, change.note)]
    _audit(
        session,
        row,
        now=now,
        actor=actor,
        action=AuditAction.INCIDENT_UPDATED,
        extra={"from": before.value, "to": target.value, "fields": changed},
    )
    return _view(row, now)


def _apply_facts(
    row: IncidentRow, change: IncidentUpdate, names: list[str], *, now: datetime
) -> None:
    if "override_reason" in names and row.rule != BreachRule.RULE_2007:
        raise ValueError("an early-notice override exists only under the 2007 rule (R35)")
    for name in names:
        setattr(row, name, getattr(change, name))
    if change.customer_notified_at is not None:
        clock = _view(row, now).clock
        assert clock is not None
        earliest = clock.customer_notice_earliest
        if earliest is None or change.customer_notified_at < earliest:
            when = earliest.isoformat() if earliest else "the agency report is recorded"
            raise ValueError(
                f"customer notice is held until {when} (R35/R36); record the agency report "
                "first, or an urgent-need override with a reason (2007 rule)"
            )


def _check_closable(row: IncidentRow, now: datetime) -> None:
    clock = _view(row, now).clock
    assert clock is not None
    if row.agency_notified_at is None and not clock.annual_summary_only:
        raise ValueError(
            f"record the report to {', '.join(clock.agencies)} before closing a breach"
        )
    if row.customer_notified_at is None and clock.customer_notice_required:
        raise ValueError("record the customer notice before closing a breach")
