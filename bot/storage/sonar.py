"""Sonar connector state: resumable cursors and the last snapshot seen of each Sonar account.

A cursor row holds where a sync, the ``logs`` backstop poll or the notes feed stopped, so an
interrupted run resumes instead of starting over. A snapshot row holds what the directory cannot:
Sonar's ``_version`` of the account and a digest of its portal logins (never the usernames), so
a changed login is noticed as an online-account change (R4(c)).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base
from bot.storage.types import UtcDateTime

__all__ = ["SonarCursor", "SonarSnapshot"]


class SonarCursor(Base):
    """A named position (``sync``, ``logs``, ``notes``) as a small JSON object."""

    __tablename__ = "sonar_cursors"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SonarSnapshot(Base):
    """The last state of a Sonar account the directory was reconciled with."""

    __tablename__ = "sonar_snapshots"

    sonar_account_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[str] = mapped_column(String(128))
    logins_digest: Mapped[str] = mapped_column(String(64))
    synced_at: Mapped[datetime] = mapped_column(UtcDateTime)
