"""Storage: SQLAlchemy 2.x models, the database, migrations and repositories."""

from __future__ import annotations

from bot.storage.accounts import Account, Credential, EmailAddress, PhoneNumber, PostalAddress
from bot.storage.base import Base
from bot.storage.db import Database
from bot.storage.queues import InboxItem, OutboxItem
from bot.storage.records import AuditEventRow, AuditHead, Challenge, Conversation

__all__ = [
    "Account",
    "AuditEventRow",
    "AuditHead",
    "Base",
    "Challenge",
    "Conversation",
    "Credential",
    "Database",
    "EmailAddress",
    "InboxItem",
    "OutboxItem",
    "PhoneNumber",
    "PostalAddress",
]
