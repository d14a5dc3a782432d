"""Sonar (sonar.software) as the account system of record: pure rules (no I/O).

Sonar accounts arrive as :class:`SonarAccount` snapshots (the adapter in ``handlers.sonar``
translates GraphQL JSON into them). This module turns a snapshot into the directory's
:class:`~bot.domain.accounts.AccountRecord`, decides who notifies the customer of each change
kind (cpni-guard or one of Sonar's own triggered messages, never both and never neither), and
judges the customer-portal API user's permissions (``sonar-notes.md`` sections 4 and 5).
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.domain.accounts import AccountRecord, parse_record
from bot.domain.notifications import ChangeKind

__all__ = [
    "ALWAYS_OURS",
    "SONAR_TRIGGERS",
    "Notifier",
    "PortalAssessment",
    "SonarAccount",
    "SonarAddress",
    "SonarContact",
    "assess_portal_user",
    "online_account_digest",
    "settings_problems",
    "to_record",
    "who_notifies",
]

#: Change kinds Sonar can announce itself, and the ``MessageTrigger`` that does it.
SONAR_TRIGGERS: Mapping[ChangeKind, str] = {
    ChangeKind.PASSWORD: "CONTACT_PASSWORD_CHANGED",
    ChangeKind.POSTAL_ADDRESS: "ACCOUNT_ADDRESS_CHANGED",
}
#: Change kinds Sonar has no trigger for: cpni-guard always notifies them.
ALWAYS_OURS: tuple[ChangeKind, ...] = (
    ChangeKind.EMAIL_ADDRESS,
    ChangeKind.PHONE_NUMBER_OF_RECORD,
    ChangeKind.ONLINE_ACCOUNT,
)
_MIN_SECRET = 32


class Notifier(StrEnum):
    """Who sends the customer the change notice for a kind of change."""

    CPNI_GUARD = "cpni_guard"
    SONAR = "sonar"


@dataclass(frozen=True, slots=True, kw_only=True)
class SonarContact:
    """A Sonar contact of an account. ``username`` is its customer-portal login, if any."""

    id: str
    name: str
    email: str | None = None
    username: str | None = field(default=None, repr=False)
    phones: tuple[str, ...] = field(default=(), repr=False)
    primary: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class SonarAddress:
    """A Sonar address: ``type`` is ``PHYSICAL`` (service) or ``MAILING``."""

    type: str
    line1: str | None
    line2: str | None
    city: str | None
    subdivision: str | None
    zip: str | None
    country: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class SonarAccount:
    """What cpni-guard reads of one Sonar account (a snapshot; Sonar ids are strings).

    Attributes:
        id: the Sonar account id, also the directory's account number.
        version: Sonar's ``_version`` (bumped on every change of the account row).
        active: whether its account status ``activates_account``.
        archived: whether Sonar archived it.
        custom_fields: custom field id -> value. May hold a clear-text PIN: never log it.
    """

    id: str
    name: str
    version: str
    updated_at: datetime | None
    active: bool
    archived: bool = False
    status_name: str = ""
    contacts: tuple[SonarContact, ...] = ()
    addresses: tuple[SonarAddress, ...] = ()
    custom_fields: Mapping[str, str] = field(default_factory=dict, repr=False)


def _region(subdivision: str | None) -> str:
    # Sonar's Subdivision enum reads ``US_CA``: the region is the part after the country.
    return (subdivision or "").partition("_")[2] or (subdivision or "")


def _address(addresses: Sequence[SonarAddress], kind: str) -> dict[str, Any] | None:
    wanted = "PHYSICAL" if kind == "service" else "MAILING"
    for a in addresses:
        if a.type == wanted and a.line1:
            return {
                "line1": a.line1,
                "line2": a.line2,
                "city": a.city,
                "region": _region(a.subdivision),
                "postal_code": a.zip,
                "country": a.country or "US",
            }
    return None


def to_record(account: SonarAccount, *, default_region: str = "US") -> AccountRecord | list[str]:
    """The directory record for a Sonar account, or every reason it cannot be one.

    Emails and phone numbers of all the account's contacts become its contacts (Sonar phone
    numbers are contact numbers, never telephone numbers of record, R11); the first physical
    address is the service address and the first mailing address the mailing address.
    """
    status = "closed" if account.archived else ("active" if account.active else "suspended")
    raw: dict[str, Any] = {
        "account_number": account.id,
        "name": account.name,
        "status": status,
        "emails": [c.email for c in account.contacts if c.email],
        "contact_numbers": [p for c in account.contacts for p in c.phones],
    }
    for kind in ("service", "mailing"):
        found = _address(account.addresses, kind)
        if found is not None:
            raw[f"{kind}_address"] = found
    return parse_record(raw, default_region=default_region)


def online_account_digest(account: SonarAccount) -> str:
    """A digest of the account's portal logins (contact id + username), never the names."""
    logins = sorted(f"{c.id}\x1f{c.username}" for c in account.contacts if c.username)
    return hashlib.sha256("\x1e".join(logins).encode()).hexdigest()


def who_notifies(kind: ChangeKind, *, setting: str, trigger_enabled: bool | None) -> Notifier:
    """Who notifies the customer of a ``kind`` change (R20), avoiding duplicates.

    Args:
        kind: the change kind.
        setting: ``auto``, ``cpni_guard`` or ``sonar`` for the kinds Sonar can announce.
        trigger_enabled: whether Sonar's own triggered message is on; ``None`` when unknown.

    Returns:
        ``sonar`` only when Sonar has a trigger for the kind and it is chosen (``sonar``) or
        known to be enabled (``auto``); otherwise cpni-guard, so no kind is left uncovered.
    """
    if kind not in SONAR_TRIGGERS or setting == Notifier.CPNI_GUARD:
        return Notifier.CPNI_GUARD
    if setting == Notifier.SONAR:
        return Notifier.SONAR
    return Notifier.SONAR if trigger_enabled is True else Notifier.CPNI_GUARD


@dataclass(frozen=True, slots=True)
class PortalAssessment:
    """The customer-portal API user's CPNI standing.

    ``compliant`` is ``None`` when the user could not be read (missing, or no access).
    """

    found: bool
    enabled: bool | None
    super_admin: bool | None
    has_update_contact: bool | None
    compliant: bool | None


def assess_portal_user(user: Mapping[str, Any] | None) -> PortalAssessment:
    """Judge a ``users`` entity: compliant when not super admin and without UPDATE_CONTACT.

    A super admin holds every permission whatever its role says, so both are tested.
    """
    if not user:
        return PortalAssessment(False, None, None, None, None)
    role = user.get("role") or {}
    permissions = set(role.get("applied_permissions") or [])
    admin = bool(user.get("super_admin"))
    update = admin or "UPDATE_CONTACT" in permissions
    return PortalAssessment(True, bool(user.get("enabled", True)), admin, update, not update)


def settings_problems(
    *,
    url: str | None,
    token_set: bool,
    webhook_secret: str | None,
    allow_ips: str | None,
) -> list[str]:
    """Configuration problems of the Sonar settings (called from ``bot.config``)."""
    problems: list[str] = []
    if bool(url) != token_set:
        problems.append("SONAR_URL and SONAR_API_TOKEN: set both or neither")
    if url and not _acceptable_url(url):
        problems.append("SONAR_URL: use https:// (plain http only for a loopback test server)")
    if webhook_secret is not None and len(webhook_secret) < _MIN_SECRET:
        problems.append(
            f"CPNI_SONAR_WEBHOOK_SECRET: at least {_MIN_SECRET} random characters "
            "(it is the only protection of the unsigned webhook)"
        )
    for part in (allow_ips or "").split(","):
        if part.strip():
            try:
                ipaddress.ip_network(part.strip(), strict=False)
            except ValueError:
                problems.append(f"CPNI_SONAR_WEBHOOK_ALLOW_IPS: {part.strip()!r} is not an IP/CIDR")
    return problems


def _acceptable_url(url: str) -> bool:
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].rsplit(":", 1)[0].strip("[]")
    if scheme == "https":
        return True
    return scheme == "http" and host in {"127.0.0.1", "localhost", "::1"}
