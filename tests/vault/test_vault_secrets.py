"""After a full PIN and backup-answer flow, no secret appears in logs, tables or audit."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select
from vault_support import ACCOUNT, VaultFactory, add_account

from bot.config import load_config
from bot.services._vault_notices import notice_sink
from bot.storage.base import Base
from bot.storage.db import Database

from fakes import FrozenClock

PINS = ("48152039", "52917364", "63018475")
ANSWERS = ("Captain  Whiskerton", "Marzipan Lighthouse", "Wrong Guesswork")
QUESTIONS = ("What was the name of your first pet?",)


def test_no_pin_is_ever_logged_stored_or_audited(
    database: Database,
    clock: FrozenClock,
    make_vault: VaultFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Every PIN and backup answer of the flow is absent from the logs and every table column."""
    caplog.set_level(logging.DEBUG)
    add_account(database, clock)
    vault = make_vault(
        on_change=notice_sink(load_config({}, env_file=None)), backup_questions=QUESTIONS
    )
    first, second, third = PINS
    assert vault.enrol(ACCOUNT, first, actor="a", surface="cli", at_service_start=True).ok
    answer, changed, wrong = ANSWERS
    assert vault.set_backup_answer(ACCOUNT, "1", first, answer, actor="a", surface="cli").ok
    assert vault.set_backup_answer(ACCOUNT, "1", first, changed, actor="a", surface="cli").ok
    who = {"actor": "a", "surface": "cli", "conversation_key": "cli:call-1"}
    vault.verify_backup_answer(ACCOUNT, changed, **who)
    vault.verify_backup_answer(ACCOUNT, wrong, **who)
    vault.verify(ACCOUNT, "90817263", method="cli", **who)
    vault.verify_backup_answer(ACCOUNT, changed, **who)  # refused under R16
    vault.verify(ACCOUNT, "90817263", actor="a", surface="cli", method="cli")
    vault.verify(ACCOUNT, first, actor="a", surface="cli", method="cli")
    assert vault.change(ACCOUNT, first, second, actor="a", surface="cli").ok
    vault.change(ACCOUNT, second, "1111", actor="a", surface="cli")
    assert vault.reset(
        ACCOUNT,
        third,
        actor="a",
        surface="cli",
        method="in_person_id",
        reason="visit",
        supervisor="sup:kim",
    ).ok
    assert vault.start_reset_otp(ACCOUNT).sent
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    dumped = []
    with database.transaction() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)):
                dumped.extend(str(value) for value in row)
    everything = "\n".join(dumped)
    assert "audit_events" in {t.name for t in Base.metadata.sorted_tables}
    assert len(dumped) > 50, "the dump saw the data"
    for pin in PINS:
        assert pin not in logged
        assert pin not in everything
    for secret in ANSWERS:
        for form in (secret, " ".join(secret.casefold().split())):
            assert form not in logged
            assert form not in everything
    assert "new_pin_required" in everything, "the flow reached the R16 refusal"
