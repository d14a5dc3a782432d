"""Render the certification report as Markdown and PDF, with monthly charts.

Charts are drawn with matplotlib's object API on the Agg canvas (no pyplot global state, safe in
threads); the PDF is laid out with fpdf2 and its core fonts. Both read only the figures of a
:class:`~bot.services.certification.CertificationReport`, so Markdown and PDF always agree.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.domain.audit import COMPLAINT_CATEGORIES
from bot.domain.incidents import IncidentKind
from bot.services.certification import OPERATING_PROCEDURES, CertificationReport

__all__ = ["ReportFiles", "sections", "to_markdown", "write_report"]

_MONTHS = [calendar.month_abbr[m] for m in range(1, 13)]
Table = tuple[tuple[str, ...], Sequence[tuple[str, ...]]]


@dataclass(frozen=True, slots=True)
class Section:
    """One heading with its paragraphs, tables and an optional chart."""

    title: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    chart: str | None = None


@dataclass(frozen=True, slots=True)
class ReportFiles:
    """The files :func:`write_report` wrote."""

    markdown: Path
    pdf: Path
    charts: tuple[Path, ...]


def _counter_rows(counter: dict[str, int]) -> list[tuple[str, ...]]:
    return [(key, str(n)) for key, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))]


def _integrity(report: CertificationReport) -> str:
    if report.chain_break is None:
        return (
            f"Audit chain verified at generation: {report.chain_checked} events, every "
            "link holds (R31)."
        )
    return (
        f"AUDIT CHAIN BROKEN at event {report.chain_break.event_id}: "
        f"{report.chain_break.reason}. Investigate before filing (R31)."
    )


def sections(report: CertificationReport) -> list[Section]:
    """The report's content, shared by the Markdown and PDF renderers."""
    r = report
    monthly = [
        (m, str(v), str(lk))
        for m, v, lk in zip(_MONTHS, r.verifications_by_month, r.lockouts_by_month, strict=True)
    ]
    verif_rows = [(m, o, str(n)) for (m, o), n in sorted(r.verifications.items())]
    complaint_rows = [
        (c, COMPLAINT_CATEGORIES[c], str(r.complaints[c])) for c in COMPLAINT_CATEGORIES
    ]
    incident_rows = [(k, s, str(n)) for (k, s), n in sorted(r.incidents.items())]
    pretext = r.incidents_of(IncidentKind.POSSIBLE_PRETEXTING)
    brokers = [
        (a.occurred_at.date().isoformat(), a.forum, a.summary) for a in r.data_broker_actions
    ]
    return [
        Section(
            "Audit log integrity", (_integrity(r), f"Audit events in {r.year}: {r.events_in_year}.")
        ),
        Section(
            "PIN verifications",
            (f"PIN verifications in {r.year}: {r.verification_total}, by method and outcome.",),
            ((("method", "outcome", "count"), verif_rows),),
            chart="verifications",
        ),
        Section(
            "Lockouts",
            (f"Account lockouts in {r.year}: {r.lockouts} (R26).",),
            ((("month", "verifications", "lockouts"), monthly),),
            chart="lockouts",
        ),
        Section(
            "Supervisor overrides",
            (
                f"Supervisor overrides in {r.year}: {sum(r.overrides_by_actor.values())}, "
                "by agent (R27).",
            ),
            ((("agent", "overrides"), _counter_rows(r.overrides_by_actor)),),
        ),
        Section(
            "Account-change notices",
            (
                f"Notices sent: {sum(r.notices_sent.values())}; skipped: "
                f"{sum(r.notices_skipped.values())}; failed: {r.notices_failed} (R20-R24).",
            ),
            (
                (("channel", "sent"), _counter_rows(r.notices_sent)),
                (("reason skipped", "count"), _counter_rows(r.notices_skipped)),
            ),
        ),
        Section(
            "Disclosures while locked",
            (
                "CPNI disclosed on a locked thread: "
                f"{sum(r.disclosed_while_locked_by_actor.values())}, by agent (R6, R27). "
                "Each opened or joined an incident.",
            ),
            ((("agent", "disclosures"), _counter_rows(r.disclosed_while_locked_by_actor)),),
        ),
        Section(
            "Pretexting and possible breaches",
            (
                f"Possible-pretexting signals: {r.pretexting_signals}; pretexting incidents by "
                f"state: {_states(pretext)} (R26). Misdirected CPNI: {r.misdirected} (R28). "
                f"Breaches determined: {r.breaches_determined} (R35).",
            ),
            ((("incident kind", "state", "count"), incident_rows),),
        ),
        Section(
            "Customer complaints about unauthorized release of CPNI",
            (f"Complaints in {r.year}: {sum(r.complaints.values())}, by category (R33).",),
            ((("category", "FCC template wording", "count"), complaint_rows),),
        ),
        Section(
            "Actions against data brokers",
            (f"Proceedings or petitions recorded: {len(brokers)} (R34).",),
            ((("date", "forum", "summary"), brokers),),
        ),
        Section(
            "Operating procedures the bot enforces",
            tuple(f"{text} ({rules})" for rules, text in OPERATING_PROCEDURES),
        ),
    ]


def _states(counter: dict[str, int]) -> str:
    return ", ".join(f"{s} {n}" for s, n in sorted(counter.items())) or "none"


def _md_table(table: Table) -> list[str]:
    head, rows = table
    if not rows:
        return ["_None recorded._", ""]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows]
    return [*lines, ""]


def to_markdown(report: CertificationReport, *, charts: dict[str, str] | None = None) -> str:
    """The report as Markdown; ``charts`` maps chart names to image paths to link."""
    r = report
    lines = [
        f"# CPNI annual certification evidence: calendar year {r.year}",
        "",
        f"Generated {r.generated_at.isoformat(timespec='seconds')} by cpni-guard. For the "
        f"officer's certificate filed on or before 1 March {r.year + 1} in EB Docket No. 06-36 "
        "(47 CFR 64.2009(e), R34). The officer signs the certificate; this report is the "
        "evidence behind the accompanying statement.",
        "",
    ]
    content = sections(report)
    procedures = content[-1]
    for section in content:
        lines += [f"## {section.title}", ""]
        bullets = section is procedures
        for paragraph in section.paragraphs:
            lines += [f"- {paragraph}"] if bullets else [paragraph, ""]
        if bullets:
            lines.append("")
        if section.chart and charts and section.chart in charts:
            lines += [f"![{section.chart} per month]({charts[section.chart]})", ""]
        for table in section.tables:
            lines += _md_table(table)
    return "\n".join(lines).rstrip() + "\n"


def _chart(values: Sequence[int], title: str, path: Path) -> Path:
    figure = Figure(figsize=(7, 2.6), dpi=120)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    bars = axes.bar(_MONTHS, values, color="#2f6690")
    axes.bar_label(bars, fontsize=7)
    axes.set_title(title, fontsize=10)
    axes.tick_params(labelsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    figure.savefig(path, format="png")
    return path


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def _pdf(report: CertificationReport, path: Path, charts: dict[str, Path]) -> None:
    pdf = FPDF(format="Letter")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(
        0,
        8,
        _latin1(f"CPNI annual certification evidence: {report.year}"),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_font("Helvetica", size=9)
    pdf.multi_cell(
        0,
        5,
        _latin1(
            f"Generated {report.generated_at.isoformat(timespec='seconds')}. Filing due on or "
            f"before 1 March {report.year + 1}, EB Docket No. 06-36 (47 CFR 64.2009(e))."
        ),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    for section in sections(report):
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 12)
        pdf.multi_cell(0, 7, _latin1(section.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("Helvetica", size=9)
        for paragraph in section.paragraphs:
            pdf.multi_cell(0, 5, _latin1(paragraph), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if section.chart and section.chart in charts:
            pdf.image(str(charts[section.chart]), w=170)
        for head, rows in section.tables:
            if not rows:
                pdf.multi_cell(0, 5, "None recorded.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                continue
            with pdf.table(text_align="LEFT", line_height=5) as table:
                for cells in (head, *rows):
                    row = table.row()
                    for cell in cells:
                        row.cell(_latin1(cell))
    pdf.output(str(path))


def write_report(report: CertificationReport, out_dir: Path) -> ReportFiles:
    """Write ``certification-YEAR.md``, ``.pdf`` and the chart PNGs into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"certification-{report.year}"
    charts = {
        "verifications": _chart(
            report.verifications_by_month,
            f"PIN verifications per month, {report.year}",
            out_dir / f"{stem}-verifications.png",
        ),
        "lockouts": _chart(
            report.lockouts_by_month,
            f"Lockouts per month, {report.year}",
            out_dir / f"{stem}-lockouts.png",
        ),
    }
    markdown = out_dir / f"{stem}.md"
    markdown.write_text(
        to_markdown(report, charts={k: p.name for k, p in charts.items()}), encoding="utf-8"
    )
    pdf = out_dir / f"{stem}.pdf"
    _pdf(report, pdf, charts)
    return ReportFiles(markdown, pdf, tuple(charts.values()))
