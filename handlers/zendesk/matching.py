"""Requester to account: match the requester's email or phone against contacts of record.

Only a single, unambiguous match links the ticket. An unknown or ambiguous requester leaves the
choice to the agent in the sidebar (issue 6, item 3); the candidates are offered there.
"""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.storage.accounts import Account, EmailAddress, PhoneNumber

__all__ = ["candidate_accounts", "normalise_email", "normalise_phone"]


def normalise_email(address: str | None) -> str | None:
    """The address as stored in the directory (email-validator's normal form)."""
    if not address:
        return None
    try:
        return str(validate_email(address, check_deliverability=False).normalized)
    except EmailNotValidError:
        return None


def normalise_phone(number: str | None, *, region: str = "US") -> str | None:
    """The number in E.164, or ``None`` if it is not a valid number."""
    if not number:
        return None
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def candidate_accounts(
    session: Session, *, email: str | None, phone: str | None, limit: int = 10
) -> list[str]:
    """Account numbers whose current (not retired) contacts match the requester.

    Returns:
        Sorted account numbers; one means a match, none or several leave it to the agent.
    """
    found: set[str] = set()
    address = normalise_email(email)
    if address:
        rows = session.scalars(
            select(Account.account_number)
            .join(EmailAddress, EmailAddress.account_id == Account.id)
            .where(
                func.lower(EmailAddress.address) == address.lower(),
                EmailAddress.retired_at.is_(None),
            )
            .limit(limit)
        )
        found.update(rows)
    e164 = normalise_phone(phone)
    if e164:
        rows = session.scalars(
            select(Account.account_number)
            .join(PhoneNumber, PhoneNumber.account_id == Account.id)
            .where(PhoneNumber.e164 == e164, PhoneNumber.retired_at.is_(None))
            .limit(limit)
        )
        found.update(rows)
    return sorted(found)[:limit]
