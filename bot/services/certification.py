"""The annual CPNI certification evidence (R33, R34; cpni-rules.md section 5).

:func:`build_report` reads one calendar year of the audit log in a single streaming pass and
the incidents opened that year, and returns every figure the officer's filing (due 1 March,
EB Docket 06-36) draws on. :mod:`bot.services.certification_render` turns it into Markdown and
PDF. Months are calendar months in UTC.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from bot.domain.audit import COMPLAINT_CATEGORIES, AuditAction
from bot.domain.incidents import IncidentKind
from bot.storage.audit_integrity import ChainBreak, verify_chain
from bot.storage.audit_log import iter_range
from bot.storage.incidents import list_incidents

__all__ = ["OPERATING_PROCEDURES", "CertificationReport", "DataBrokerAction", "build_report"]

#: What the bot enforces, in plain words, with the rule each procedure implements (R34 asks
#: for "a description of the bot-enforced operating procedures").
OPERATING_PROCEDURES: tuple[tuple[str, str], ...] = (
    (
        "R1, R2",
        "Every Slack thread and Zendesk ticket is screened for CPNI; a sensitive thread "
        "is locked with a visible 'PIN required' note until the customer is verified.",
    ),
    (
        "R6, R7, R8",
        "CPNI is released only after the customer gives the account PIN unprompted; "
        "agents cannot unlock call detail with biographical or account information.",
    ),
    (
        "R10, R11",
        "Without a PIN, call detail goes only to the address of record (30 days or "
        "older) or by call-back to the telephone number of record.",
    ),
    (
        "R14, R15, R16",
        "PINs are created and reset without biographical or account information; "
        "a failed PIN and back-up answer leads only to re-enrolment.",
    ),
    ("R17", "A verification unlocks one thread and one account for a limited time only."),
    (
        "R20-R25",
        "Customers are told at once, at the prior contact of record, when a PIN, "
        "back-up answer, online account or address of record changes; the notice never "
        "contains the new value.",
    ),
    (
        "R26",
        "Repeated failed PINs lock the account out; failures across accounts raise a "
        "possible-pretexting signal that opens an incident and alerts compliance.",
    ),
    ("R27", "Every override and every disclosure while locked records the agent's id."),
    (
        "R28, R35",
        "Misdirected CPNI opens a possible-breach incident; a determined breach "
        "runs the 7-business-day notice clock.",
    ),
    (
        "R31",
        "Every decision is written to an append-only, hash-chained audit log kept at "
        "least 2 years; the chain is verified for this report.",
    ),
)


@dataclass(frozen=True, slots=True)
class DataBrokerAction:
    """A proceeding or petition against a data broker that Legal recorded (R34)."""

    occurred_at: datetime
    forum: str
    summary: str


@dataclass(slots=True)
class CertificationReport:
    """Every figure of the certification report for one calendar year."""

    year: int
    generated_at: datetime
    events_in_year: int = 0
    verifications: Counter[tuple[str, str]] = field(default_factory=Counter)
    verifications_by_month: list[int] = field(default_factory=lambda: [0] * 12)
    lockouts_by_month: list[int] = field(default_factory=lambda: [0] * 12)
    overrides_by_actor: Counter[str] = field(default_factory=Counter)
    notices_sent: Counter[str] = field(default_factory=Counter)
    notices_skipped: Counter[str] = field(default_factory=Counter)
    notices_failed: int = 0
    disclosed_while_locked_by_actor: Counter[str] = field(default_factory=Counter)
    pretexting_signals: int = 0
    misdirected: int = 0
    complaints: Counter[str] = field(default_factory=Counter)
    data_broker_actions: list[DataBrokerAction] = field(default_factory=list)
    incidents: Counter[tuple[str, str]] = field(default_factory=Counter)
    breaches_determined: int = 0
    chain_checked: int = 0
    chain_break: ChainBreak | None = None

    @property
    def lockouts(self) -> int:
        """Account lockouts in the year."""
        return sum(self.lockouts_by_month)

    @property
    def verification_total(self) -> int:
        """PIN verification attempts in the year."""
        return sum(self.verifications.values())

    def incidents_of(self, kind: IncidentKind) -> Counter[str]:
        """Incidents of ``kind`` opened in the year, by their current state."""
        return Counter({s: n for (k, s), n in self.incidents.items() if k == kind})


def build_report(session: Session, *, year: int, now: datetime) -> CertificationReport:
    """Count the year's evidence from the audit log and the incidents table.

    Args:
        session: a read transaction.
        year: the calendar year certified (the filing is due 1 March of ``year + 1``).
        now: when the report is generated.
    """
    start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    report = CertificationReport(year=year, generated_at=now)
    report.complaints.update(dict.fromkeys(COMPLAINT_CATEGORIES, 0))
    for row in iter_range(session, start=start, end=end):
        report.events_in_year += 1
        _count(report, row.action, row)
    for incident in list_incidents(session, since=start):
        if incident.opened_at < end:
            report.incidents[(incident.kind, incident.state)] += 1
            report.breaches_determined += incident.determined_at is not None
    report.chain_checked, report.chain_break = verify_chain(session)
    return report


def _count(report: CertificationReport, action: str, row: Row[Any]) -> None:
    month = row.occurred_at.month - 1
    details = row.details
    actor = row.actor
    if action == AuditAction.PIN_VERIFY:
        method = row.method or "unknown"
        report.verifications[(method, row.outcome or "unknown")] += 1
        report.verifications_by_month[month] += 1
    elif action == AuditAction.PIN_LOCKOUT:
        report.lockouts_by_month[month] += 1
    elif action == AuditAction.CONVERSATION_OVERRIDDEN:
        report.overrides_by_actor[actor] += 1
    elif action == AuditAction.NOTICE_SENT:
        report.notices_sent[row.method or "unknown"] += 1
    elif action == AuditAction.NOTICE_SKIPPED:
        report.notices_skipped[str(details.get("reason") or "unspecified")] += 1
    elif action == AuditAction.NOTICE_FAILED:
        report.notices_failed += 1
    elif action == AuditAction.DISCLOSED_WHILE_LOCKED:
        report.disclosed_while_locked_by_actor[actor] += 1
    elif action == AuditAction.POSSIBLE_PRETEXTING:
        report.pretexting_signals += 1
    elif action == AuditAction.CPNI_MISDIRECTED:
        report.misdirected += 1
    elif action == AuditAction.COMPLAINT_RECORDED:
        report.complaints[str(details.get("category"))] += 1
    elif action == AuditAction.DATA_BROKER_ACTION:
        report.data_broker_actions.append(
            DataBrokerAction(
                row.occurred_at, str(details.get("forum", "")), str(details.get("summary", ""))
            )
        )
