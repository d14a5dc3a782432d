"""What an account-change notice says: the kind of change, when, and how to report it (R23).

A notice never carries the changed data: no new address, email, number, PIN or answer, and no
old one either. That is guaranteed by construction: templates are rendered from
:class:`NoticeFacts`, which has no field for a value, so no template (the shipped ones or an
operator's) can reach one. Templates are :class:`string.Template` strings over a fixed set of
placeholders; HTML templates get every value escaped.
"""

from __future__ import annotations

import html
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.domain.notifications import AccountChange, ChangeAction, ChangeKind

__all__ = [
    "PLACEHOLDERS",
    "NoticeFacts",
    "NoticeTemplates",
    "RenderedNotice",
    "render_notice",
    "template_problems",
]

#: Every placeholder a template may use.
PLACEHOLDERS = ("change", "Change", "action", "when", "account_ending", "report_contact")


@dataclass(frozen=True, slots=True, kw_only=True)
class NoticeFacts:
    """Everything a notice may say. There is deliberately no field for a changed value."""

    kind: ChangeKind
    action: ChangeAction
    occurred_at: datetime
    account_number: str
    locale: str = "en"

    @classmethod
    def from_change(cls, change: AccountChange) -> NoticeFacts:
        """The facts of ``change``, leaving its new value behind."""
        return cls(
            kind=change.kind,
            action=change.action,
            occurred_at=change.occurred_at,
            account_number=change.account_number,
            locale=change.locale,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class NoticeTemplates:
    """One locale's templates for one change kind.

    Attributes:
        subject: the email subject line.
        text: the plain-text email (also the printed letter's text).
        html: the HTML email.
        sms: the text message.
        phrases: ``<kind>`` -> what changed ("the PIN on your account") and
            ``action_<action>`` -> what happened to it ("was changed").
    """

    subject: str
    text: str
    html: str
    sms: str
    phrases: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RenderedNotice:
    """A notice ready to send."""

    subject: str
    text: str
    html: str
    sms: str


def _values(facts: NoticeFacts, phrases: Mapping[str, str], report_contact: str) -> dict[str, str]:
    moment = facts.occurred_at.astimezone(UTC)
    change = phrases.get(str(facts.kind), str(facts.kind).replace("_", " "))
    return {
        "change": change,
        "Change": change[:1].upper() + change[1:],
        "action": phrases.get(f"action_{facts.action}", str(facts.action)),
        "when": moment.strftime("%Y-%m-%d %H:%M UTC"),
        "account_ending": facts.account_number[-4:],
        "report_contact": report_contact,
    }


def render_notice(
    facts: NoticeFacts, *, templates: NoticeTemplates, report_contact: str
) -> RenderedNotice:
    """Render every form of the notice for ``facts``.

    Args:
        facts: what changed, when, on which account.
        templates: the locale's templates for this change kind.
        report_contact: the phone number or URL for reporting an unauthorised change.

    Returns:
        The subject, plain text, HTML and SMS forms. ``$change`` is the phrase as written
        ("the PIN on your account"); ``$Change`` the same with a capital first letter.
    """
    values = _values(facts, templates.phrases, report_contact)
    escaped = {k: html.escape(v) for k, v in values.items()}
    return RenderedNotice(
        subject=_fill(templates.subject, values).strip(),
        text=_fill(templates.text, values),
        html=_fill(templates.html, escaped),
        sms=_fill(templates.sms, values).strip(),
    )


def _fill(template: str, values: Mapping[str, str]) -> str:
    return string.Template(template).safe_substitute(values)


def template_problems(templates: NoticeTemplates, *, where: str) -> list[str]:
    """Every placeholder in ``templates`` that is not one of :data:`PLACEHOLDERS`."""
    problems = []
    for name in ("subject", "text", "html", "sms"):
        source = getattr(templates, name)
        template = string.Template(source)
        if not template.is_valid():
            problems.append(f"{where} {name}: a '$' that starts no placeholder (write $$)")
            continue
        unknown = sorted(set(template.get_identifiers()) - set(PLACEHOLDERS))
        if unknown:
            allowed = ", ".join(f"${p}" for p in PLACEHOLDERS)
            problems.append(f"{where} {name}: unknown ${', $'.join(unknown)} (allowed: {allowed})")
    return problems
