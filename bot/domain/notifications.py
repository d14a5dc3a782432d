"""Account-change notices: which changes notify, when they do not, and where the notice goes.

47 CFR 64.2010(f) (``cpni-rules.md`` R20-R25): when a PIN/password, a backup-authentication
answer, an online account or an address of record is created or changed, the customer is told
at once, except during service initiation (R21), through the contact of record *as it stood
before the change* (R22, R24): an email or postal address on file for at least
``address_of_record_days`` (R10, R25), or the telephone number of record, a *service* number and
never a contact number (R11). Never the new value the change introduced. With no usable contact
the notice waits for staff, who mail a letter to the postal address of record.

Everything here is pure: contacts arrive as plain :class:`Contact` values and ``now`` is the
change's own ``occurred_at``. What the notice says is in :mod:`bot.domain.notice_text`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

import phonenumbers

from bot.policy import NoticePolicy

__all__ = [
    "CONTACT_CHANGES",
    "AccountChange",
    "ChangeAction",
    "ChangeKind",
    "Channel",
    "Contact",
    "ContactMedium",
    "NoticePlan",
    "NoticeReason",
    "NoticeState",
    "is_contact_of_record",
    "matches_new_value",
    "normalise_contact",
    "notifies",
    "plan_notice",
    "suppression_reason",
]

_MAX_ID = 128


class ChangeKind(StrEnum):
    """What changed. Every kind here is one R4 names, so every kind notifies."""

    PIN = "pin"
    PASSWORD = "password"  # noqa: S105 (the name of a change kind, not a password)
    BACKUP_ANSWER = "backup_answer"
    ONLINE_ACCOUNT = "online_account"
    POSTAL_ADDRESS = "postal_address"
    EMAIL_ADDRESS = "email_address"
    PHONE_NUMBER_OF_RECORD = "phone_number_of_record"


class ChangeAction(StrEnum):
    """Whether the thing was created, changed, or reset (a PIN reset by staff)."""

    CREATED = "created"
    CHANGED = "changed"
    RESET = "reset"


class ContactMedium(StrEnum):
    """The kind of contact row a destination is."""

    EMAIL = "email"
    PHONE = "phone"
    POSTAL = "postal"


class Channel(StrEnum):
    """How a notice travels: email, SMS (Twilio) or a printed letter (staff, R22)."""

    EMAIL = "email"
    SMS = "sms"
    LETTER = "letter"


class NoticeState(StrEnum):
    """Where a notice is: queued for the outbox, sent, failed, skipped, or waiting for staff."""

    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"
    PENDING_STAFF = "pending_staff"


class NoticeReason(StrEnum):
    """Why a notice was not sent automatically. Stored and audited as is."""

    ACTIVATION_FLOW = "activation_flow"
    SERVICE_INITIATION = "service_initiation"
    NO_CONTACT_OF_RECORD = "no_contact_of_record"
    UNKNOWN_ACCOUNT = "unknown_account"
    CHANNEL_NOT_CONFIGURED = "channel_not_configured"


#: The change kinds that replace a contact, and which medium their new value is.
CONTACT_CHANGES: dict[ChangeKind, ContactMedium] = {
    ChangeKind.POSTAL_ADDRESS: ContactMedium.POSTAL,
    ChangeKind.EMAIL_ADDRESS: ContactMedium.EMAIL,
    ChangeKind.PHONE_NUMBER_OF_RECORD: ContactMedium.PHONE,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountChange:
    """One account change event, from any source (PIN vault, API, CLI, Sonar).

    Attributes:
        kind: what changed.
        account_number: the account it changed on.
        occurred_at: when it changed (aware UTC); the notice's "before the change" moment.
        source: who reports it (``pin_vault``, ``api``, ``cli``, ``sonar``); with ``event_id``
            it identifies the event, so a redelivery creates no second notice.
        event_id: the caller's own id for the event.
        actor: who made the change (agent id, ``customer``, ``system``), for the audit log.
        action: created, changed or reset.
        activation_flow: the change is part of the customer initiating service (R21).
        locale: the customer's language for the notice templates (``en``, ``es``, ...).
        new_value: for address, email and number changes only, the new value, so the rules can
            exclude it as a destination (R24). It is never stored, logged, audited or rendered.
    """

    kind: ChangeKind
    account_number: str
    occurred_at: datetime
    source: str
    event_id: str
    actor: str
    action: ChangeAction = ChangeAction.CHANGED
    activation_flow: bool = False
    locale: str = "en"
    new_value: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.occurred_at.tzinfo is None:
            raise ValueError("occurred_at must be timezone-aware")
        for name in ("account_number", "source", "event_id", "actor"):
            value = getattr(self, name)
            if not value or len(value) > _MAX_ID:
                raise ValueError(f"{name} must be 1 to {_MAX_ID} characters")
        if self.new_value is not None and self.kind not in CONTACT_CHANGES:
            raise ValueError(f"a {self.kind} change carries no new value")


@dataclass(frozen=True, slots=True, kw_only=True)
class Contact:
    """A contact row of the account directory as the rules see it.

    Attributes:
        id: the directory row id (the notice stores this, not the address).
        medium: email, phone or postal.
        value: the normalised value (see :func:`normalise_contact`).
        kind: ``service``/``contact`` for phones; ``service``/``mailing`` for postal addresses.
        associated_since: when it was put on file.
        retired_at: when it was replaced, if it was.
    """

    id: int
    medium: ContactMedium
    value: str
    associated_since: datetime
    retired_at: datetime | None = None
    kind: str = ""


@dataclass(frozen=True, slots=True)
class NoticePlan:
    """What to do about one change: queue it on a channel, skip it, or hand it to staff."""

    state: NoticeState
    channel: Channel | None = None
    destination: Contact | None = None
    reason: NoticeReason | None = None
    sent_to_prior_contact: bool = False


def notifies(kind: ChangeKind) -> bool:
    """Whether a change of ``kind`` needs a notice (R4: all four triggers, incl. numbers)."""
    return kind in ChangeKind.__members__.values()


def normalise_contact(medium: ContactMedium, value: str) -> str:
    """The comparable form of a contact value: lower-case email, E.164, postal word tokens."""
    text = value.strip()
    if medium is ContactMedium.EMAIL:
        return text.casefold()
    if medium is ContactMedium.PHONE:
        try:
            number = phonenumbers.parse(text, "US")
        except phonenumbers.NumberParseException:
            return re.sub(r"\D", "", text)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return " ".join(re.findall(r"[0-9a-z]+", text.casefold()))


def matches_new_value(contact: Contact, change: AccountChange) -> bool:
    """Whether ``contact`` is (or may be) the value the change introduced (R24).

    Postal addresses match when every word of the stored street line and postal code appears in
    the new address: a false match only costs a channel, a missed one could tell the intruder.
    """
    medium = CONTACT_CHANGES.get(change.kind)
    if medium is None or change.new_value is None or contact.medium is not medium:
        return False
    new = normalise_contact(medium, change.new_value)
    if medium is ContactMedium.POSTAL:
        return set(contact.value.split()) <= set(new.split())
    return contact.value == new


def is_contact_of_record(contact: Contact, change: AccountChange, *, record_days: int) -> bool:
    """Whether ``contact`` was a contact of record just before ``change`` (R10, R11, R25).

    It must have been on file before the change and not retired before it; an email or postal
    address must have been on file ``record_days`` days; a phone must be a service number.
    """
    moment = change.occurred_at
    if contact.retired_at is not None and contact.retired_at < moment:
        return False
    if contact.medium is ContactMedium.PHONE:
        return contact.kind == "service" and contact.associated_since < moment
    return contact.associated_since <= moment - timedelta(days=record_days)


def suppression_reason(
    change: AccountChange, *, service_start: date | None, window_days: int
) -> NoticeReason | None:
    """Why no notice is due because the change is part of service initiation (R21), if so."""
    if change.activation_flow:
        return NoticeReason.ACTIVATION_FLOW
    initiation_ends = (
        service_start + timedelta(days=window_days) if service_start is not None else None
    )
    if initiation_ends is not None and change.occurred_at.date() <= initiation_ends:
        return NoticeReason.SERVICE_INITIATION
    return None


def _candidates(
    contacts: Iterable[Contact], change: AccountChange, medium: ContactMedium, record_days: int
) -> list[Contact]:
    usable = [
        c
        for c in contacts
        if c.medium is medium
        and is_contact_of_record(c, change, record_days=record_days)
        and not matches_new_value(c, change)
    ]
    return sorted(usable, key=lambda c: (c.associated_since, c.id))


def plan_notice(
    change: AccountChange,
    *,
    contacts: Iterable[Contact],
    service_start: date | None,
    policy: NoticePolicy,
    channels: frozenset[Channel],
) -> NoticePlan:
    """Decide what happens to the notice for ``change`` (R20-R25).

    Args:
        change: the change event.
        contacts: every contact row of the account, retired ones included.
        service_start: the account's service start date, if known.
        policy: the notice policy (tenure and service-initiation window).
        channels: the automatic channels that are configured (email, SMS).

    Returns:
        ``skipped`` with the reason during service initiation; ``queued`` on email (first
        choice) or SMS to the longest-standing prior contact of record; otherwise
        ``pending_staff``: a letter to the postal address of record, or no destination at all.
    """
    reason = suppression_reason(
        change, service_start=service_start, window_days=policy.service_initiation_window_days
    )
    if reason is not None:
        return NoticePlan(NoticeState.SKIPPED, reason=reason)
    rows = list(contacts)
    days = policy.address_of_record_days
    for channel, medium in (
        (Channel.EMAIL, ContactMedium.EMAIL),
        (Channel.SMS, ContactMedium.PHONE),
    ):
        found = _candidates(rows, change, medium, days) if channel in channels else []
        if found:
            return NoticePlan(NoticeState.QUEUED, channel, found[0], sent_to_prior_contact=True)
    letters = _candidates(rows, change, ContactMedium.POSTAL, days)
    return NoticePlan(
        NoticeState.PENDING_STAFF,
        Channel.LETTER if letters else None,
        letters[0] if letters else None,
        NoticeReason.NO_CONTACT_OF_RECORD,
        sent_to_prior_contact=bool(letters),
    )
