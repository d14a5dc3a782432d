"""CPNI complaint tags (``cpni_complaint_*``) recorded through the compliance helper (R33).

:func:`bot.services.complaints.record_complaint` counts each ticket's complaint of a category
once, so a ticket screened again (every comment) never inflates the certification figures.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from bot.services.complaints import COMPLAINT_TAG_PREFIX, category_from_tag, record_complaint

__all__ = ["record_complaint_tags"]

log = logging.getLogger(__name__)


def record_complaint_tags(
    session: Session, *, key: str, tags: Iterable[str], now: datetime
) -> list[str]:
    """Record the complaint categories tagged on the ticket ``key``; returns the new ones."""
    recorded = []
    for tag in sorted(set(tags)):
        if not tag.startswith(COMPLAINT_TAG_PREFIX):
            continue
        category = category_from_tag(tag)
        if category is None:
            log.warning("unknown complaint tag ignored", extra={"tag": tag[:60]})
            continue
        if record_complaint(session, category=category, ticket_ref=key, now=now):
            recorded.append(category)
    return recorded
