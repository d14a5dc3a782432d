"""The pure notice rules: who is told, where, and what it never says (R4, R10, R11, R20-R25)."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.notice_text import NoticeFacts, NoticeTemplates, render_notice, template_problems
from bot.domain.notifications import (
    CONTACT_CHANGES,
    AccountChange,
    ChangeAction,
    ChangeKind,
    Channel,
    Contact,
    ContactMedium,
    NoticeReason,
    NoticeState,
    normalise_contact,
    notifies,
    plan_notice,
)
from bot.policy import NoticePolicy
from handlers.notify.templates import TemplateStore

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
POLICY = NoticePolicy()
BOTH = frozenset({Channel.EMAIL, Channel.SMS})
STORE = TemplateStore()
REPORT = "1-800-555-0199"


def change(kind: ChangeKind = ChangeKind.PIN, **kw: object) -> AccountChange:
    base: dict[str, object] = {
        "kind": kind,
        "account_number": "A-1001",
        "occurred_at": NOW,
        "source": "test",
        "event_id": "e1",
        "actor": "agent-7",
    }
    return AccountChange(**(base | kw))  # type: ignore[arg-type]


def email(i: int, value: str, days: float, retired: datetime | None = None) -> Contact:
    return Contact(
        id=i,
        medium=ContactMedium.EMAIL,
        value=value,
        associated_since=NOW - timedelta(days=days),
        retired_at=retired,
    )


def phone(i: int, e164: str, kind: str, days: float = 400) -> Contact:
    return Contact(
        id=i,
        medium=ContactMedium.PHONE,
        value=e164,
        kind=kind,
        associated_since=NOW - timedelta(days=days),
    )


def postal(i: int, line: str, days: float, retired: datetime | None = None) -> Contact:
    return Contact(
        id=i,
        medium=ContactMedium.POSTAL,
        value=normalise_contact(ContactMedium.POSTAL, line),
        associated_since=NOW - timedelta(days=days),
        retired_at=retired,
    )


def plan(ch: AccountChange, contacts: list[Contact], **kw: object):  # type: ignore[no-untyped-def]
    options: dict[str, object] = {"service_start": None, "policy": POLICY, "channels": BOTH}
    return plan_notice(ch, contacts=contacts, **(options | kw))  # type: ignore[arg-type]


def test_every_r4_trigger_notifies() -> None:
    """PIN, password, backup answer, online account and each contact of record notify (R4)."""
    assert all(notifies(kind) for kind in ChangeKind)
    assert {k.value for k in ChangeKind} >= {"pin", "backup_answer", "online_account"}


@pytest.mark.parametrize(
    ("service_start", "occurred", "flag", "expected"),
    [
        (date(2026, 3, 2), NOW, False, NoticeReason.SERVICE_INITIATION),
        (date(2026, 3, 1), NOW, False, NoticeReason.SERVICE_INITIATION),  # within 1 day
        (date(2026, 2, 27), NOW, False, None),  # 3 days after start: notify
        (None, NOW, True, NoticeReason.ACTIVATION_FLOW),
        (date(2025, 1, 1), NOW, True, NoticeReason.ACTIVATION_FLOW),
        (None, NOW, False, None),
    ],
)
def test_service_initiation_suppresses_the_notice(
    service_start: date | None, occurred: datetime, flag: bool, expected: NoticeReason | None
) -> None:
    """No notice at service start or in an activation flow; later changes notify (R21)."""
    result = plan(
        change(occurred_at=occurred, activation_flow=flag),
        [email(1, "pat@example.com", 90)],
        service_start=service_start,
    )
    if expected is None:
        assert result.state is NoticeState.QUEUED
    else:
        assert (result.state, result.reason) == (NoticeState.SKIPPED, expected)


def test_an_email_on_file_under_30_days_is_not_an_address_of_record() -> None:
    """An email added 10 days ago is skipped; the service number gets an SMS instead (R10, R25)."""
    result = plan(change(), [email(1, "new@example.com", 10), phone(2, "+12175550100", "service")])
    assert result.channel is Channel.SMS and result.destination is not None
    assert result.destination.id == 2


def test_the_30_day_boundary_is_inclusive() -> None:
    """An email on file exactly 30 days is an address of record (R10)."""
    result = plan(change(), [email(1, "pat@example.com", 30)])
    assert result.channel is Channel.EMAIL


def test_a_contact_number_is_never_a_destination() -> None:
    """Only service numbers are telephone numbers of record; a contact number is not (R11)."""
    result = plan(change(), [phone(1, "+12175550100", "contact")])
    assert (result.state, result.destination) == (NoticeState.PENDING_STAFF, None)
    assert result.reason is NoticeReason.NO_CONTACT_OF_RECORD


def test_an_email_change_notifies_the_prior_email_never_the_new_one() -> None:
    """The replaced email (retired by the change) is used; the new one is excluded (R24)."""
    contacts = [
        email(1, "old@example.com", 200, retired=NOW),
        email(2, "new@example.com", 0),
    ]
    result = plan(change(ChangeKind.EMAIL_ADDRESS, new_value="New@Example.com"), contacts)
    assert result.destination is not None and result.destination.id == 1
    assert result.sent_to_prior_contact


def test_the_new_value_is_excluded_even_when_long_on_file() -> None:
    """A new value that matches an old contact row is still never the destination (R24)."""
    contacts = [email(1, "same@example.com", 400), email(2, "other@example.com", 300)]
    result = plan(change(ChangeKind.EMAIL_ADDRESS, new_value="same@example.com"), contacts)
    assert result.destination is not None and result.destination.id == 2


def test_a_number_change_does_not_text_the_new_number() -> None:
    """A telephone-number change never goes to the new number (R24)."""
    contacts = [phone(1, "+12175550111", "service"), phone(2, "+12175550122", "service", 0.5)]
    ch = change(ChangeKind.PHONE_NUMBER_OF_RECORD, new_value="(217) 555-0122")
    result = plan(ch, contacts)
    assert result.destination is not None and result.destination.id == 1


def test_a_contact_retired_before_the_change_is_not_of_record() -> None:
    """An address replaced before the change is no longer the contact of record."""
    result = plan(change(), [email(1, "gone@example.com", 400, retired=NOW - timedelta(days=2))])
    assert result.state is NoticeState.PENDING_STAFF


def test_without_email_or_sms_a_letter_goes_to_the_prior_postal_address() -> None:
    """With only postal addresses, staff mail a letter to the prior address of record (R22, R24)."""
    contacts = [postal(1, "12 Oak Lane 62701", 400, retired=NOW), postal(2, "9 Elm Court 62704", 0)]
    ch = change(ChangeKind.POSTAL_ADDRESS, new_value="9 Elm Court, Springfield, IL 62704")
    result = plan(ch, contacts)
    assert (result.state, result.channel) == (NoticeState.PENDING_STAFF, Channel.LETTER)
    assert result.destination is not None and result.destination.id == 1


def test_unconfigured_channels_are_passed_over() -> None:
    """With SMTP not configured, the service number is texted instead."""
    contacts = [email(1, "pat@example.com", 90), phone(2, "+12175550100", "service")]
    result = plan(change(), contacts, channels=frozenset({Channel.SMS}))
    assert result.channel is Channel.SMS


def test_a_change_event_refuses_a_new_value_for_a_pin() -> None:
    """A PIN change carries no value at all, so none can leak (R23)."""
    with pytest.raises(ValueError, match="carries no new value"):
        change(ChangeKind.PIN, new_value="1234")


def test_template_checks_name_unknown_placeholders() -> None:
    """An operator template may not reach for anything but the allowed placeholders."""
    bad = NoticeTemplates(subject="$new_email", text="ok", html="$", sms="ok")
    problems = template_problems(bad, where="x")
    assert any("$new_email" in p for p in problems) and any("html" in p for p in problems)


def test_the_shipped_templates_have_no_problems() -> None:
    """Every shipped locale renders every change kind with the allowed placeholders only."""
    assert STORE.problems() == []
    assert {"en", "es"} <= set(STORE.locales())


def _grams(value: str, size: int = 4) -> set[str]:
    return {
        value[i : i + n] for n in range(size, len(value) + 1) for i in range(len(value) - n + 1)
    }


_postal = st.builds(
    lambda n, street, code: f"{n} {street} Street, Springfield, IL {code}",
    st.integers(1, 99999),
    st.text(alphabet="bcdfghjklmnpqrstvwxz", min_size=4, max_size=12),
    st.from_regex(r"[0-9]{5}", fullmatch=True),
)
_values = {
    ChangeKind.EMAIL_ADDRESS: st.emails(),
    ChangeKind.PHONE_NUMBER_OF_RECORD: st.from_regex(r"\+1[2-9][0-9]{9}", fullmatch=True),
    ChangeKind.POSTAL_ADDRESS: _postal,
}


@st.composite
def changes(draw: st.DrawFn) -> AccountChange:
    kind = draw(st.sampled_from(list(ChangeKind)))
    value = draw(_values[kind]) if kind in CONTACT_CHANGES else None
    return change(
        kind,
        action=draw(st.sampled_from(list(ChangeAction))),
        account_number=draw(st.from_regex(r"[A-Z0-9]{4,12}", fullmatch=True)),
        occurred_at=NOW - timedelta(minutes=draw(st.integers(0, 10**6))),
        locale=draw(st.sampled_from(["en", "es", "es-MX", "fr"])),
        new_value=value,
    )


@settings(max_examples=300, deadline=None)
@given(changes())
def test_no_rendered_notice_contains_any_part_of_the_new_value(ch: AccountChange) -> None:
    """No 4+ character piece of the new value appears in any form of the notice (R23).

    Coincidences are set aside honestly: every known input (phrases, the date, the account
    ending, the report contact) is cut out of the rendering first, and a piece counts as
    leaked unless it lies within the templates' own literal wording.
    """
    facts = NoticeFacts.from_change(ch)
    templates = STORE.for_notice(ch.locale, str(ch.kind))
    notice = render_notice(facts, templates=templates, report_contact=REPORT)
    stripped = "\x00".join((notice.subject, notice.text, notice.html, notice.sms))
    known = [REPORT, facts.occurred_at.strftime("%Y-%m-%d %H:%M UTC"), ch.account_number[-4:]]
    known += [p for v in templates.phrases.values() for p in (v, v[:1].upper() + v[1:])]
    for value in sorted({*known, *map(html.escape, known)}, key=len, reverse=True):
        stripped = stripped.replace(value, "\x00")
    sources = (templates.subject, templates.text, templates.html, templates.sms)
    literal = "\x00".join(re.sub(r"\$\w+", "\x00", t) for t in sources)
    leaked = {g for g in _grams(ch.new_value or "") if g in stripped and g not in literal}
    assert leaked == set()
    assert ch.new_value is None or ch.new_value not in "\n".join(
        (notice.subject, notice.text, notice.html, notice.sms)
    )


@settings(max_examples=200, deadline=None)
@given(changes(), st.integers(0, 400), st.booleans())
def test_the_destination_is_never_the_new_value(
    ch: AccountChange, days: int, retired: bool
) -> None:
    """Whatever the directory holds, the contact equal to the new value is never chosen (R24)."""
    medium = CONTACT_CHANGES.get(ch.kind, ContactMedium.EMAIL)
    value = normalise_contact(medium, ch.new_value or "pat@example.com")
    twin = Contact(
        id=1,
        medium=medium,
        value=value,
        kind="service",
        associated_since=NOW - timedelta(days=days + 400),
        retired_at=ch.occurred_at if retired else None,
    )
    other = email(2, "steady@example.org", 400)
    result = plan(ch, [twin, other])
    if ch.new_value is not None:
        assert result.destination is None or result.destination.id != 1
