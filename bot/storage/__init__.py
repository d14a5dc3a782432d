"""Storage: SQLAlchemy 2.x models, the database, migrations and repositories.

Importing this package registers every table on ``Base.metadata`` (migrations and the
autogenerate check rely on that).
"""

from __future__ import annotations

from bot.storage.accounts import Account, Credential, EmailAddress, PhoneNumber, PostalAddress
from bot.storage.base import Base
from bot.storage.compliance import AuditAnchor, IncidentRow
from bot.storage.db import Database
from bot.storage.notices import Notice
from bot.storage.queues import InboxItem, OutboxItem
from bot.storage.records import AuditEventRow, AuditHead, Challenge, Conversation
from bot.storage.slack import SlackBot, SlackInstallation, SlackMessageReceipt, SlackOAuthState
from bot.storage.sonar import SonarCursor, SonarSnapshot
from bot.storage.vault import PinFailure, PinResetCode

__all__ = [
    "Account",
    "AuditAnchor",
    "AuditEventRow",
    "AuditHead",
    "Base",
    "Challenge",
    "Conversation",
    "Credential",
    "Database",
    "EmailAddress",
    "InboxItem",
    "IncidentRow",
    "Notice",
    "OutboxItem",
    "PhoneNumber",
    "PinFailure",
    "PinResetCode",
    "PostalAddress",
    "SlackBot",
    "SlackInstallation",
    "SlackMessageReceipt",
    "SlackOAuthState",
    "SonarCursor",
    "SonarSnapshot",
]
