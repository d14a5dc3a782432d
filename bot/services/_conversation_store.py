"""Reading and writing conversation rows for the conversation use cases (internal)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.domain.audit import AuditAction, AuditEvent
from bot.domain.lock import Lock, LockState
from bot.storage.accounts import Account
from bot.storage.audit_log import append
from bot.storage.records import Conversation
from bot.worker import enqueue_effect

__all__ = [
    "ConversationView",
    "audit_view",
    "find_accounts",
    "load_row",
    "load_views",
    "save_lock",
    "to_view",
]

_UNCHANGED = object()


@dataclass(frozen=True, slots=True)
class ConversationView:
    """A conversation as surfaces show it (no message text, ever)."""

    key: str
    surface: str
    state: LockState
    until: datetime | None
    account_number: str | None
    categories: tuple[str, ...]
    reasons: tuple[str, ...]
    verified_by: str | None
    verified_method: str | None
    note_ref: str | None
    version: int

    @property
    def is_locked(self) -> bool:
        """Whether CPNI may not be shared in the thread now."""
        return self.lock.is_locked

    @property
    def lock(self) -> Lock:
        """The lock state machine's value for this conversation."""
        return Lock(
            self.state,
            until=self.until,
            account_number=self.account_number,
            by=self.verified_by,
            method=self.verified_method,
        )


def find_accounts(session: Session, numbers: Sequence[str]) -> list[str]:
    """The account numbers among ``numbers`` that exist in the directory (case-insensitive)."""
    wanted = {n.upper() for n in numbers if n}
    if not wanted:
        return []
    rows = session.scalars(
        select(Account.account_number).where(
            Account.account_number.in_(sorted(wanted | set(numbers)))
        )
    ).all()
    return sorted(set(rows))


def load_row(
    session: Session,
    *,
    key: str,
    surface: str | None = None,
    now: datetime | None = None,
    create: bool = False,
    for_update: bool = True,
) -> Conversation | None:
    """The conversation row, locked for update; created first when ``create`` is set."""
    if create:
        assert surface is not None and now is not None
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        session.execute(
            dialect.insert(Conversation)
            .values(
                key=key,
                surface=surface,
                lock_state=LockState.OPEN.value,
                categories=[],
                reasons=[],
                version=0,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["key"])
        )
    query = select(Conversation).where(Conversation.key == key)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def to_view(session: Session, row: Conversation) -> ConversationView:
    """The view of a row."""
    account = session.get(Account, row.account_id) if row.account_id is not None else None
    return ConversationView(
        key=row.key,
        surface=row.surface,
        state=LockState(row.lock_state),
        until=row.state_until,
        account_number=account.account_number if account else None,
        categories=tuple(row.categories or ()),
        reasons=tuple(row.reasons or ()),
        verified_by=row.verified_by,
        verified_method=row.verified_method,
        note_ref=row.note_ref,
        version=row.version,
    )


def _visible(row: Conversation) -> tuple[object, ...]:
    return (
        row.lock_state,
        row.state_until,
        row.account_id,
        tuple(row.categories or ()),
        tuple(row.reasons or ()),
        row.verified_by,
        row.verified_method,
    )


def save_lock(
    session: Session,
    row: Conversation,
    lock: Lock,
    *,
    now: datetime,
    account_number: object = _UNCHANGED,
    categories: Sequence[str] | None = None,
    reasons: Sequence[str] | None = None,
) -> ConversationView:
    """Store ``lock`` (and optionally the account and findings); sync the note if it changed."""
    before = _visible(row)
    if account_number is not _UNCHANGED:
        row.account_id = (
            session.scalar(select(Account.id).where(Account.account_number == account_number))
            if account_number
            else None
        )
    row.lock_state = lock.state.value
    row.state_until = lock.until
    row.verified_by = lock.by
    row.verified_method = lock.method
    if categories is not None:
        row.categories = list(categories)
    if reasons is not None:
        row.reasons = list(reasons)
    if _visible(row) != before:
        row.version += 1
        row.updated_at = now
        session.flush()
        enqueue_effect(
            session,
            key=f"{row.key}:sync:{row.version}",
            kind=f"{row.surface}.sync_note",
            payload={"key": row.key},
            now=now,
        )
    return to_view(session, row)


def load_views(
    session: Session,
    *,
    verified_by: str | None = None,
    state: LockState | None = None,
    limit: int = 50,
) -> list[ConversationView]:
    """Recent conversations, optionally of one verifier or in one state."""
    query = select(Conversation).order_by(Conversation.updated_at.desc()).limit(limit)
    if verified_by is not None:
        query = query.where(Conversation.verified_by == verified_by)
    if state is not None:
        query = query.where(Conversation.lock_state == state.value)
    return [to_view(session, row) for row in session.scalars(query)]


def audit_view(
    session: Session,
    view: ConversationView,
    *,
    action: AuditAction,
    actor: str,
    now: datetime,
    **fields: object,
) -> None:
    """Audit an event about the conversation ``view`` (its key, account and categories)."""
    append(
        session,
        AuditEvent(
            occurred_at=now,
            actor=actor,
            action=action,
            surface=view.surface,
            conversation_key=view.key,
            account_number=view.account_number,
            categories=view.categories,
            **fields,  # type: ignore[arg-type]
        ),
    )
