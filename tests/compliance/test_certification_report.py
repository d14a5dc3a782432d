"""The certification report counts a year of evidence exactly, and renders as Markdown and PDF.

A year of synthetic audit events is generated from a seeded random plan; every figure in the
report is checked against a count made independently from that plan (R33, R34).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from sqlalchemy import select

from bot.domain.audit import COMPLAINT_CATEGORIES, AuditAction, AuditEvent
from bot.domain.incidents import TRIGGER_ACTIONS, BreachRule
from bot.services.certification import CertificationReport, build_report
from bot.services.certification_render import to_markdown, write_report
from bot.services.complaints import record_complaint, record_data_broker_action
from bot.services.incidents import AlertTargets, check_event
from bot.storage.audit_log import append
from bot.storage.db import Database
from bot.storage.records import AuditEventRow

YEAR = 2026
METHODS = ("agent", "link", "reply")
OUTCOMES = ("verified", "rejected", "locked_out")
AGENTS = ("slack:T1/U1", "slack:T1/U2", "zendesk:acme/900")
SKIP_REASONS = ("activation_flow", "no_contact_of_record")
CATEGORIES = ("employee_access", "disclosure", "online_access")


@dataclass(frozen=True)
class Planned:
    at: datetime
    action: AuditAction
    actor: str = "system"
    method: str | None = None
    outcome: str | None = None
    account: str | None = None
    conversation: str | None = None
    details: tuple[tuple[str, str], ...] = ()


def _plan(rng: random.Random) -> list[Planned]:
    start = datetime(YEAR, 1, 1, tzinfo=UTC)
    plan: list[Planned] = []
    for i in range(900):
        at = start + timedelta(seconds=rng.randrange(365 * 86400))
        kind = rng.random()
        agent = rng.choice(AGENTS)
        if kind < 0.55:
            plan.append(
                Planned(
                    at,
                    AuditAction.PIN_VERIFY,
                    agent,
                    rng.choice(METHODS),
                    rng.choice(OUTCOMES),
                    f"A-{i % 40}",
                )
            )
        elif kind < 0.65:
            plan.append(
                Planned(at, AuditAction.PIN_LOCKOUT, account=f"L-{i}")
            )  # unique: no repeats
        elif kind < 0.70:
            plan.append(Planned(at, AuditAction.CONVERSATION_OVERRIDDEN, agent))
        elif kind < 0.78:
            plan.append(Planned(at, AuditAction.NOTICE_SENT, method=rng.choice(("email", "sms"))))
        elif kind < 0.82:
            plan.append(
                Planned(
                    at, AuditAction.NOTICE_SKIPPED, details=(("reason", rng.choice(SKIP_REASONS)),)
                )
            )
        elif kind < 0.84:
            plan.append(Planned(at, AuditAction.NOTICE_FAILED))
        elif kind < 0.88:
            plan.append(
                Planned(
                    at,
                    AuditAction.DISCLOSED_WHILE_LOCKED,
                    agent,
                    conversation=f"slack:T1/C1/{i % 7}",
                )
            )
        elif kind < 0.91:
            plan.append(Planned(at, AuditAction.POSSIBLE_PRETEXTING, agent, account=f"P-{i % 4}"))
        elif kind < 0.93:
            plan.append(
                Planned(at, AuditAction.CPNI_MISDIRECTED, agent, conversation=f"zendesk:acme/{i}")
            )
        else:
            plan.append(
                Planned(
                    at,
                    AuditAction.COMPLAINT_RECORDED,
                    conversation=f"zendesk:acme/c{i}",
                    details=(("category", rng.choice(CATEGORIES)),),
                )
            )
    # Outside the year: must not be counted.
    plan.append(Planned(start - timedelta(seconds=1), AuditAction.PIN_LOCKOUT, account="OLD"))
    plan.append(
        Planned(
            datetime(YEAR + 1, 1, 1, tzinfo=UTC), AuditAction.PIN_VERIFY, "x", "agent", "verified"
        )
    )
    return sorted(plan, key=lambda p: p.at)


def _store(database: Database, plan: list[Planned]) -> None:
    with database.transaction() as session:
        for p in plan:
            if p.action is AuditAction.COMPLAINT_RECORDED:
                record_complaint(
                    session,
                    category=dict(p.details)["category"],
                    ticket_ref=p.conversation or "",
                    now=p.at,
                )
                continue
            append(
                session,
                AuditEvent(
                    occurred_at=p.at,
                    actor=p.actor,
                    action=p.action,
                    method=p.method,
                    outcome=p.outcome,
                    account_number=p.account,
                    conversation_key=p.conversation,
                    details=dict(p.details),
                ),
            )
        record_data_broker_action(
            session,
            forum="Texas PUC",
            summary="petition against PhoneRecordsNow LLC",
            actor="cli:legal",
            now=datetime(YEAR, 5, 4, tzinfo=UTC),
        )
        trigger_ids = session.scalars(
            select(AuditEventRow.id).where(AuditEventRow.action.in_(TRIGGER_ACTIONS))
        )
        for event_id in list(trigger_ids):
            check_event(
                session,
                event_id,
                now=datetime(YEAR, 12, 31, tzinfo=UTC),
                rule=BreachRule.RULE_2007,
                alerts=AlertTargets(),
            )


@pytest.fixture
def year(database: Database) -> tuple[list[Planned], CertificationReport]:
    """A stored year of events and the report built from them."""
    plan = _plan(random.Random(2026))
    _store(database, plan)
    with database.transaction() as session:
        report = build_report(session, year=YEAR, now=datetime(YEAR + 1, 1, 15, tzinfo=UTC))
    return plan, report


def test_every_figure_matches_an_independent_count(
    year: tuple[list[Planned], CertificationReport],
) -> None:
    """Each count in the report equals the count made from the generating plan (R33, R34)."""
    plan, report = year
    inside = [p for p in plan if p.at.year == YEAR]
    by = lambda action: [p for p in inside if p.action is action]  # noqa: E731
    assert report.verifications == Counter(
        (p.method, p.outcome) for p in by(AuditAction.PIN_VERIFY)
    )
    assert report.verifications_by_month == [
        sum(p.at.month == m for p in by(AuditAction.PIN_VERIFY)) for m in range(1, 13)
    ]
    assert report.lockouts_by_month == [
        sum(p.at.month == m for p in by(AuditAction.PIN_LOCKOUT)) for m in range(1, 13)
    ]
    assert report.overrides_by_actor == Counter(
        p.actor for p in by(AuditAction.CONVERSATION_OVERRIDDEN)
    )
    assert report.notices_sent == Counter(p.method for p in by(AuditAction.NOTICE_SENT))
    assert report.notices_skipped == Counter(
        dict(p.details)["reason"] for p in by(AuditAction.NOTICE_SKIPPED)
    )
    assert report.notices_failed == len(by(AuditAction.NOTICE_FAILED))
    assert report.disclosed_while_locked_by_actor == Counter(
        p.actor for p in by(AuditAction.DISCLOSED_WHILE_LOCKED)
    )
    assert report.pretexting_signals == len(by(AuditAction.POSSIBLE_PRETEXTING))
    assert report.misdirected == len(by(AuditAction.CPNI_MISDIRECTED))
    expected_complaints = Counter(dict.fromkeys(CATEGORIES, 0))
    expected_complaints.update(
        dict(p.details)["category"] for p in by(AuditAction.COMPLAINT_RECORDED)
    )
    assert report.complaints == expected_complaints
    assert [(a.forum, a.summary) for a in report.data_broker_actions] == [
        ("Texas PUC", "petition against PhoneRecordsNow LLC")
    ]
    expected_incidents = Counter(
        {
            ("disclosed_while_locked", "open"): len(
                {p.conversation for p in by(AuditAction.DISCLOSED_WHILE_LOCKED)}
            ),
            ("possible_pretexting", "open"): len(
                {p.account for p in by(AuditAction.POSSIBLE_PRETEXTING)}
            ),
            ("misdirected_cpni", "open"): len(
                {p.conversation for p in by(AuditAction.CPNI_MISDIRECTED)}
            ),
        }
    )
    assert report.incidents == +expected_incidents
    assert report.chain_break is None and report.chain_checked > len(plan)


def test_the_markdown_states_every_figure(year: tuple[list[Planned], CertificationReport]) -> None:
    """The Markdown shows each monthly, per-method, per-agent and per-category figure."""
    _, report = year
    text = to_markdown(report)
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    for month, v, lk in zip(
        months, report.verifications_by_month, report.lockouts_by_month, strict=True
    ):
        assert f"| {month} | {v} | {lk} |" in text
    for (method, outcome), n in report.verifications.items():
        assert f"| {method} | {outcome} | {n} |" in text
    for agent, n in report.overrides_by_actor.items():
        assert f"| {agent} | {n} |" in text
    for category, n in report.complaints.items():
        assert f"| {category} | {COMPLAINT_CATEGORIES[category]} | {n} |" in text
    assert f"PIN verifications in {YEAR}: {report.verification_total}" in text
    assert f"Account lockouts in {YEAR}: {report.lockouts}" in text
    assert f"Complaints in {YEAR}: {sum(report.complaints.values())}" in text
    assert f"Possible-pretexting signals: {report.pretexting_signals}" in text
    assert "every link holds" in text and f"1 March {YEAR + 1}" in text


def test_the_pdf_renders_with_charts(
    year: tuple[list[Planned], CertificationReport], tmp_path: Path
) -> None:
    """The PDF opens, its first page rasterises to a non-blank image, and it states the totals."""
    _, report = year
    files = write_report(report, tmp_path)
    assert files.markdown.read_text().count("![") == 2 and all(
        p.stat().st_size > 1000 for p in files.charts
    )
    document = pdfium.PdfDocument(str(files.pdf))
    assert len(document) >= 2
    image = document[0].render(scale=1).to_pil().convert("L")
    dark = sum(image.histogram()[:200])
    assert dark > 0.01 * image.width * image.height  # text and a chart, not a blank page
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    document.close()
    assert f"PIN verifications in {YEAR}: {report.verification_total}" in text
    assert f"Account lockouts in {YEAR}: {report.lockouts}" in text
