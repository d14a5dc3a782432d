"""E-mail cleaning: quotes, reply headers, Outlook blocks and signatures are dropped."""

from __future__ import annotations

import pytest

from bot.domain.detection import clean_email_body

CASES = [
    ("New text\n\n> old quoted line\n> another", "New text"),
    (
        "Sounds good.\n\nOn Tue, May 3, 2024 at 10:02 AM Support <s@example.com> wrote:\n> old",
        "Sounds good.",
    ),
    (
        "ok thanks\n\nOn Wed, Jan 8, 2025 at 3:30 PM Customer Care <care@example.com>\nwrote:\n> x",
        "ok thanks",
    ),
    (
        "See you then.\n\n-----Original Message-----\nFrom: Support\nSent: Monday\nold body",
        "See you then.",
    ),
    ("Fine.\n\nFrom: Billing\nSent: Friday, March 1\nTo: Dana\nSubject: Re\nold body", "Fine."),
    ("Body here\n-- \nJohn Park\n555-201-3344", "Body here"),
    ("Body here\n\nThanks,\nMaria Lopez\nAccount 40012345", "Body here"),
    ("Got it.\n\nSent from my iPhone", "Got it."),
    ("Thanks, can you also reset my PIN?", "Thanks, can you also reset my PIN?"),
]


@pytest.mark.parametrize(("body", "expected"), CASES)
def test_clean_email_body(body: str, expected: str) -> None:
    """Only the new text above quotes, headers, signatures and sign-offs is kept."""
    assert clean_email_body(body) == expected


def test_bottom_posted_reply_keeps_new_text_below_quotes() -> None:
    """Quoted lines are skipped but new text written below them is kept."""
    assert clean_email_body("> old question\nmy new answer") == "my new answer"


def test_long_closing_block_is_not_cut() -> None:
    """A sign-off followed by long lines is content, not a signature, and is kept."""
    body = "Thanks\n" + "x" * 120
    assert clean_email_body(body) == body
