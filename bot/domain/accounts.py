"""Account directory records: parsing and validating one imported row (pure).

A row is validated completely, and every problem in it is reported, before anything is stored.
Phone numbers are parsed to E.164 with ``phonenumbers`` and emails normalised with
``email-validator`` (no DNS lookups), never with home-made patterns. Telephone numbers of record
(``service_numbers``) are kept apart from ``contact_numbers`` (R11).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email

__all__ = [
    "ACCOUNT_STATUSES",
    "ADDRESS_FIELDS",
    "AccountRecord",
    "Address",
    "parse_record",
]

ACCOUNT_STATUSES = ("active", "pending", "suspended", "closed")
ADDRESS_FIELDS = ("line1", "line2", "city", "region", "postal_code", "country")
_ACCOUNT_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}")
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0", ""}


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address; ``kind`` is ``service`` or ``mailing``."""

    kind: str
    line1: str
    line2: str | None
    city: str
    region: str | None
    postal_code: str
    country: str


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """One validated account row, normalised."""

    account_number: str
    name: str
    is_business: bool
    service_start: date | None
    status: str
    service_numbers: tuple[str, ...]
    contact_numbers: tuple[str, ...]
    emails: tuple[str, ...]
    addresses: tuple[Address, ...]
    contacts_since: datetime | None


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    return "" if value is None else str(value).strip()


def _split(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value or "").split(";") if part.strip()]


def _phones(raw: Mapping[str, Any], key: str, region: str, errors: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for position, value in enumerate(_split(raw.get(key)), start=1):
        try:
            number = phonenumbers.parse(value, region)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            errors.append(f"{key}: entry {position} is not a valid telephone number")
            continue
        out.append(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    return tuple(dict.fromkeys(out))


def _emails(raw: Mapping[str, Any], errors: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for position, value in enumerate(_split(raw.get("emails")), start=1):
        try:
            out.append(validate_email(value, check_deliverability=False).normalized.lower())
        except EmailNotValidError as exc:
            errors.append(f"emails: entry {position} is not a valid address ({exc})")
    return tuple(dict.fromkeys(out))


def _address(raw: Mapping[str, Any], kind: str, errors: list[str]) -> Address | None:
    nested = raw.get(f"{kind}_address")
    source: Mapping[str, Any] = (
        nested
        if isinstance(nested, Mapping)
        else {f: raw.get(f"{kind}_address_{f}") for f in ADDRESS_FIELDS}
    )
    values = {f: _text(source, f) for f in ADDRESS_FIELDS}
    if not any(values.values()):
        return None
    missing = [f for f in ("line1", "city", "postal_code") if not values[f]]
    if missing:
        errors.append(f"{kind}_address: missing {', '.join(missing)}")
        return None
    country = (values["country"] or "US").upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        errors.append(f"{kind}_address_country: use a two-letter ISO code")
    return Address(
        kind=kind,
        line1=values["line1"],
        line2=values["line2"] or None,
        city=values["city"],
        region=values["region"] or None,
        postal_code=values["postal_code"],
        country=country,
    )


def _date(raw: Mapping[str, Any], key: str, errors: list[str]) -> date | None:
    value = _text(raw, key)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(f"{key}: {value!r} is not a date (use YYYY-MM-DD)")
        return None


def _head(raw: Mapping[str, Any], errors: list[str]) -> tuple[str, str, bool, str]:
    number = _text(raw, "account_number")
    if not _ACCOUNT_NUMBER.fullmatch(number):
        errors.append("account_number: required; letters, digits and '-' only, at most 64")
    name = _text(raw, "name")
    if not name:
        errors.append("name: required")
    business = _text(raw, "is_business").lower()
    if business not in _TRUE | _FALSE:
        errors.append("is_business: use true or false")
    status = _text(raw, "status").lower() or "active"
    if status not in ACCOUNT_STATUSES:
        errors.append(f"status: one of {', '.join(ACCOUNT_STATUSES)}")
    return number, name, business in _TRUE, status


def parse_record(
    raw: Mapping[str, Any], *, default_region: str = "US", today: date | None = None
) -> AccountRecord | list[str]:
    """Validate one imported row.

    Args:
        raw: the row, as read from CSV (strings) or JSON Lines (strings, lists, objects).
        default_region: the ISO region for telephone numbers written without a country code.
        today: for refusing future dates (defaults to the current UTC date).

    Returns:
        The normalised record, or every problem found in the row.
    """
    errors: list[str] = []
    number, name, business, status = _head(raw, errors)
    service_start = _date(raw, "service_start", errors)
    since_day = _date(raw, "contacts_since", errors)
    limit = today or datetime.now(UTC).date()
    for key, day in (("service_start", service_start), ("contacts_since", since_day)):
        if day is not None and day > limit:
            errors.append(f"{key}: lies in the future")
    service = _phones(raw, "service_numbers", default_region, errors)
    contact = _phones(raw, "contact_numbers", default_region, errors)
    emails = _emails(raw, errors)
    addresses = tuple(a for k in ("service", "mailing") if (a := _address(raw, k, errors)))
    if errors:
        return errors
    since = (
        datetime(since_day.year, since_day.month, since_day.day, tzinfo=UTC) if since_day else None
    )
    return AccountRecord(
        account_number=number,
        name=name,
        is_business=business,
        service_start=service_start,
        status=status,
        service_numbers=service,
        contact_numbers=contact,
        emails=emails,
        addresses=addresses,
        contacts_since=since,
    )
