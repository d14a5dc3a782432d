"""Storage side of the PIN vault: row locks, counters, account facts and the R26 trail."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from bot.domain.audit import AuditAction, AuditEvent
from bot.domain.backup_answer import BACKUP_METHOD, InteractionAttempt
from bot.domain.dob_form import dob_full_form
from bot.domain.pin_policy import AccountFacts, dob_checker
from bot.domain.pretexting import FailureRecord, PretextingPolicy, detect_pretexting
from bot.domain.verification import CredentialState
from bot.security.tokens import hmac_sha256_b64, tokens_equal
from bot.storage.accounts import Account, Credential, PhoneNumber, PostalAddress
from bot.storage.audit_log import append
from bot.storage.records import AuditEventRow
from bot.storage.vault import PinFailure

__all__ = [
    "account_facts",
    "audit",
    "fact_digest",
    "find_account",
    "interaction_attempts",
    "lock_credential",
    "record_failure",
    "store_state",
    "to_state",
]

_STREET_NUMBER = re.compile(r"\s*(\d+)")
_FACTS_CONTEXT = "cpni-guard/account-fact/v1\x00"


def find_account(session: Session, account_number: str, *, lock: bool = False) -> Account | None:
    """The account with this number, optionally row-locked for a write."""
    query = select(Account).where(Account.account_number == account_number)
    if lock:
        query = query.with_for_update()
    return session.execute(query).scalar_one_or_none()


def lock_credential(session: Session, account_id: int) -> Credential | None:
    """The account's credential row, locked until the transaction ends.

    ``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite every transaction already holds the
    write lock (``BEGIN IMMEDIATE``, see ``bot.storage.db``), which is stronger.
    """
    query = select(Credential).where(Credential.account_id == account_id).with_for_update()
    return session.execute(query).scalar_one_or_none()


def to_state(row: Credential) -> CredentialState:
    """The domain counters of a credential row."""
    return CredentialState(
        failures_in_window=row.failures_in_window or 0,
        window_started_at=row.window_started_at,
        consecutive_failures=row.consecutive_failures or 0,
        locked_until=row.locked_until,
        lockout_count=row.lockout_count or 0,
        hard_locked=bool(row.hard_locked),
    )


def store_state(row: Credential, state: CredentialState, *, now: datetime) -> None:
    """Write the domain counters back into the (locked) row."""
    row.failures_in_window = state.failures_in_window
    row.window_started_at = state.window_started_at
    row.consecutive_failures = state.consecutive_failures
    row.locked_until = state.locked_until
    row.lockout_count = state.lockout_count
    row.hard_locked = state.hard_locked
    row.updated_at = now


def audit(
    session: Session,
    *,
    now: datetime,
    actor: str,
    action: AuditAction | str,
    account_number: str | None,
    surface: str | None = None,
    method: str | None = None,
    outcome: str | None = None,
    conversation_key: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """Append one vault event to the hash-chained audit log (never a PIN, code or hash)."""
    append(
        session,
        AuditEvent(
            occurred_at=now,
            actor=actor,
            action=action,
            surface=surface,
            conversation_key=conversation_key,
            account_number=account_number,
            method=method,
            outcome=outcome,
            details=dict(details or {}),
        ),
    )


def record_failure(
    session: Session,
    *,
    account_number: str,
    actor: str | None,
    source: str | None,
    now: datetime,
    policy: PretextingPolicy,
) -> list[tuple[str, str, tuple[str, ...]]]:
    """Remember a failed attempt and return the R26 signals it newly raises.

    A signal is returned when this failure brings a new account into an actor's or a source's
    set of failed accounts and that set has reached the threshold, so each further account
    escalates once, not every failure.

    Returns:
        ``(dimension, subject, account_numbers)`` per newly raised signal.
    """
    parties = []
    if actor:
        parties.append(PinFailure.actor == actor)
    if source:
        parties.append(PinFailure.source == source)
    prior: list[FailureRecord] = []
    if parties:
        rows = session.scalars(
            select(PinFailure).where(PinFailure.occurred_at > now - policy.window, or_(*parties))
        ).all()
        prior = [
            FailureRecord(
                account_id=r.account_number, at=r.occurred_at, actor=r.actor, source=r.source
            )
            for r in rows
        ]
    session.add(
        PinFailure(occurred_at=now, account_number=account_number, actor=actor, source=source)
    )
    current = FailureRecord(account_id=account_number, at=now, actor=actor, source=source)
    raised: list[tuple[str, str, tuple[str, ...]]] = []
    for signal in detect_pretexting([*prior, current], now=now, policy=policy):
        seen = {
            r.account_id
            for r in prior
            if (r.actor if signal.dimension == "actor" else r.source) == signal.subject
        }
        if account_number not in seen:
            raised.append((signal.dimension, signal.subject, signal.account_ids))
    return raised


def fact_digest(key: bytes, form: str) -> str:
    """The keyed digest under which a DOB or SSN-last-4 form is stored on an account.

    ``Account.dob_digest = fact_digest(key, dob_full_form(dob))`` and
    ``Account.ssn_last4_digest = fact_digest(key, ssn_last4_form(last4))``, where ``key`` is
    the current pepper secret (a context label keeps this use apart from PIN keying); the
    clear value is never stored. Digests under any configured pepper key are recognised.
    """
    return hmac_sha256_b64(key, _FACTS_CONTEXT, form)


def account_facts(
    session: Session, account: Account, *, keys: Sequence[bytes], now: datetime
) -> AccountFacts:
    """The account's own data a PIN must not be derived from (R14).

    Every telephone number ever on the account counts (retired ones too: stricter), and the
    street numbers and ZIPs of every current postal address (a superset of the addresses of
    record). DOB and SSN-last-4 are checked against their keyed digests when on file.
    """
    phones = session.scalars(select(PhoneNumber.e164).where(PhoneNumber.account_id == account.id))
    addresses = session.scalars(
        select(PostalAddress).where(
            PostalAddress.account_id == account.id, PostalAddress.retired_at.is_(None)
        )
    ).all()
    streets = tuple(m.group(1) for a in addresses if (m := _STREET_NUMBER.match(a.line1)))
    dob, ssn = account.dob_digest, account.ssn_last4_digest
    return AccountFacts(
        account_number=account.account_number,
        telephone_numbers=tuple(phones),
        street_numbers=streets,
        zip_codes=tuple(a.postal_code for a in addresses),
        dob_matches=_dob_checker(dob, keys, now.date()) if dob else None,
        ssn_last4_matches=(lambda form: _matches(ssn, form, keys)) if ssn else None,
    )


def _dob_checker(digest: str, keys: Sequence[bytes], today: date) -> Any:
    return dob_checker(
        lambda born: _matches(digest, dob_full_form(born), keys),
        years=range(1900, today.year + 1),
    )


def _matches(digest: str, form: str, keys: Sequence[bytes]) -> bool:
    return any(tokens_equal(fact_digest(k, form), digest) for k in keys)


def interaction_attempts(
    session: Session, *, account_number: str, conversation_key: str
) -> list[InteractionAttempt]:
    """The audited events R16 folds for one interaction, oldest first.

    Verifications of the account in the interaction (``pin_verify``; method ``backup_answer``
    for backup answers) and every new PIN on the account (enrolled, changed or reset, in any
    interaction), ordered by the audit log's own sequence.
    """
    new_pin = (AuditAction.PIN_ENROLLED, AuditAction.PIN_CHANGED, AuditAction.PIN_RESET)
    rows = session.execute(
        select(
            AuditEventRow.action, AuditEventRow.method, AuditEventRow.outcome, AuditEventRow.details
        )
        .where(
            AuditEventRow.account_number == account_number,
            or_(
                and_(
                    AuditEventRow.action == AuditAction.PIN_VERIFY,
                    AuditEventRow.conversation_key == conversation_key,
                ),
                and_(AuditEventRow.action.in_(new_pin), AuditEventRow.outcome == "set"),
            ),
        )
        .order_by(AuditEventRow.id)
    ).all()
    attempts: list[InteractionAttempt] = []
    for action, method, outcome, details in rows:
        if action != AuditAction.PIN_VERIFY:
            attempts.append(InteractionAttempt("new_pin"))
            continue
        factor: Literal["pin", "backup_answer"] = (
            "backup_answer" if method == BACKUP_METHOD else "pin"
        )
        verified = outcome == "verified"
        evaluated = bool((details or {}).get("evaluated"))
        attempts.append(InteractionAttempt(factor, verified, evaluated and not verified))
    return attempts
