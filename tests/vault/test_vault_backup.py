"""Backup answers in the vault on SQLite and PostgreSQL: set, verify, lockout, R16, notices."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from vault_support import ACCOUNT, CountingHasher, VaultFactory, add_account, pepper_entry

from bot.config import load_config
from bot.domain.audit import AuditAction
from bot.domain.backup_answer import NoBackupAnswer
from bot.domain.backup_question import question_id
from bot.domain.verification import LockedOut, NewPinRequired, Rejected, UnknownAccount, Verified
from bot.security import parse_pepper_keys
from bot.services._vault_notices import notice_sink
from bot.services.pin_vault import PinUpdateStatus, PinVault
from bot.storage.accounts import Account, Credential
from bot.storage.db import Database
from bot.storage.notices import Notice
from bot.storage.records import AuditEventRow

from fakes import FrozenClock

PIN = "48152039"
WRONG_PIN = "90817263"
QUESTIONS = ("What was the name of your first pet?", "What was your childhood nickname?")
ANSWER = "  Captain   WHISKERTON "
WHO = {"actor": "agent:1", "surface": "slack"}
TICKET = "zendesk:acme:4711"


def _vault(make_vault: VaultFactory, **overrides: Any) -> PinVault:
    return make_vault(backup_questions=QUESTIONS, **overrides)


def _enrolled_with_answer(database: Database, clock: FrozenClock, vault: PinVault) -> None:
    add_account(database, clock)
    assert vault.enrol(ACCOUNT, PIN, actor="a", surface="cli", at_service_start=True).ok
    update = vault.set_backup_answer(
        ACCOUNT, "1", PIN, ANSWER, actor="a", surface="cli", at_service_start=True
    )
    assert update.ok, update.detail


def _credential(database: Database) -> Credential:
    with database.transaction() as session:
        account = session.scalars(select(Account).where(Account.account_number == ACCOUNT)).one()
        row = session.get(Credential, account.id)
        assert row is not None
        session.expunge_all()
        return row


def _verifications(database: Database) -> list[tuple[str | None, str | None, str | None]]:
    with database.transaction() as session:
        rows = session.scalars(
            select(AuditEventRow)
            .where(AuditEventRow.action == AuditAction.PIN_VERIFY)
            .order_by(AuditEventRow.id)
        ).all()
        return [(r.method, r.conversation_key, r.outcome) for r in rows]


def test_an_answer_is_stored_hashed_and_verifies_after_normalisation(
    database: Database, clock: FrozenClock, make_vault: VaultFactory
) -> None:
    """Case and whitespace do not matter; the stored form is argon2id under the pepper id."""
    vault = _vault(make_vault)
    _enrolled_with_answer(database, clock, vault)
    row = _credential(database)
    assert row.backup_question_id == question_id(QUESTIONS[0])
    assert row.backup_pepper_key_id == "k1"
    assert (row.backup_answer_hash or "").startswith("$argon2id$")
    assert vault.verify_backup_answer(ACCOUNT, "captain whiskerton", **WHO) == Verified()
    assert vault.verify_backup_answer(ACCOUNT, "CAPTAIN\tWhiskerton", **WHO) == Verified()
    assert vault.verify_backup_answer(ACCOUNT, "captain whiskers", **WHO) == Rejected(4)
    assert vault.verify(ACCOUNT, "captain whiskerton", method="agent", **WHO) == Rejected(3), (
        "the answer is not a PIN"
    )
    assert vault.backup_question(ACCOUNT) is not None
    assert vault.status(ACCOUNT).backup_question_id == question_id(QUESTIONS[0])
    methods = [m for m, _, _ in _verifications(database)]
    assert methods == ["pin", "backup_answer", "backup_answer", "backup_answer", "agent"]


def test_setting_needs_a_configured_question_a_real_answer_and_the_current_pin(
    database: Database, clock: FrozenClock, make_vault: VaultFactory
) -> None:
    """Bad input changes and counts nothing; a wrong current PIN is counted and stores nothing."""
    add_account(database, clock)
    vault = _vault(make_vault)
    assert vault.enrol(ACCOUNT, PIN, actor="a", surface="cli", at_service_start=True).ok
    args = {"actor": "a", "surface": "cli"}
    unknown = vault.set_backup_answer(ACCOUNT, "q-0000000000", PIN, ANSWER, **args)
    assert unknown.status is PinUpdateStatus.UNKNOWN_QUESTION
    assert question_id(QUESTIONS[1]) in unknown.detail, "the refusal lists the configured ids"
    empty = vault.set_backup_answer(ACCOUNT, "2", PIN, " \t ", **args)
    assert empty.status is PinUpdateStatus.REFUSED_BY_POLICY
    assert vault.status(ACCOUNT).consecutive_failures == 0
    wrong = vault.set_backup_answer(ACCOUNT, question_id(QUESTIONS[1]), WRONG_PIN, ANSWER, **args)
    assert wrong.status is PinUpdateStatus.NOT_AUTHENTICATED
    assert wrong.verification == Rejected(4)
    assert vault.status(ACCOUNT).consecutive_failures == 1
    assert _credential(database).backup_answer_hash is None
    assert vault.set_backup_answer(ACCOUNT, question_id(QUESTIONS[1]), PIN, ANSWER, **args).ok
    assert _credential(database).backup_question_id == question_id(QUESTIONS[1])
    with database.transaction() as session:
        outcomes = session.scalars(
            select(AuditEventRow.outcome)
            .where(AuditEventRow.action == AuditAction.BACKUP_ANSWER_SET)
            .order_by(AuditEventRow.id)
        ).all()
    assert outcomes == ["unknown_question", "refused_by_policy", "not_authenticated", "set"]


def test_wrong_answers_count_toward_the_same_lockout_as_wrong_pins(
    database: Database, clock: FrozenClock, make_vault: VaultFactory, ring: object
) -> None:
    """Three wrong PINs and two wrong answers lock; the right answer is then refused unhashed."""
    hasher = CountingHasher(parse_pepper_keys(pepper_entry("k1", 1)))
    vault = _vault(make_vault, hasher=hasher)
    _enrolled_with_answer(database, clock, vault)
    for _ in range(3):
        assert isinstance(vault.verify(ACCOUNT, WRONG_PIN, method="agent", **WHO), Rejected)
    assert vault.verify_backup_answer(ACCOUNT, "rex", **WHO) == Rejected(1)
    locked = vault.verify_backup_answer(ACCOUNT, "fido", **WHO)
    assert isinstance(locked, LockedOut)
    checked = hasher.verifications
    assert vault.verify_backup_answer(ACCOUNT, ANSWER, **WHO) == locked
    assert hasher.verifications == checked, "no hash is checked during a lockout"
    with database.transaction() as session:
        lockouts = session.scalars(
            select(AuditEventRow.method).where(AuditEventRow.action == AuditAction.PIN_LOCKOUT)
        ).all()
    assert lockouts == ["backup_answer"]
    clock.advance(minutes=30)
    assert vault.verify_backup_answer(ACCOUNT, ANSWER, **WHO) == Verified()
    assert vault.status(ACCOUNT).consecutive_failures == 0, "a right answer resets the counters"


def test_no_answer_on_file_and_unknown_accounts_cost_a_dummy_hash(
    database: Database, clock: FrozenClock, make_vault: VaultFactory
) -> None:
    """Without an answer on file the outcome is NoBackupAnswer, after one dummy hash."""
    add_account(database, clock)
    hasher = CountingHasher(parse_pepper_keys(pepper_entry("k1", 1)))
    vault = _vault(make_vault, hasher=hasher)
    assert vault.verify_backup_answer(ACCOUNT, ANSWER, **WHO) == NoBackupAnswer()
    assert vault.verify_backup_answer("NOPE-1", ANSWER, **WHO) == UnknownAccount()
    assert (hasher.dummies, hasher.verifications) == (2, 0)
    assert vault.backup_question(ACCOUNT) is None


def test_a_failed_pin_and_a_failed_answer_in_one_interaction_require_a_new_pin(
    database: Database, clock: FrozenClock, make_vault: VaultFactory
) -> None:
    """R16: a failed PIN and answer in one ticket refuse it unhashed until a new PIN is set."""
    hasher = CountingHasher(parse_pepper_keys(pepper_entry("k1", 1)))
    vault = _vault(make_vault, hasher=hasher)
    _enrolled_with_answer(database, clock, vault)
    here = {"conversation_key": TICKET, **WHO}
    assert vault.verify(ACCOUNT, WRONG_PIN, method="agent", **here) == Rejected(4)
    assert vault.verify_backup_answer(ACCOUNT, "rex", **here) == NewPinRequired()
    checked = hasher.verifications
    assert vault.verify(ACCOUNT, PIN, method="agent", **here) == NewPinRequired()
    assert vault.verify_backup_answer(ACCOUNT, ANSWER, **here) == NewPinRequired()
    assert hasher.verifications == checked, "a refused interaction checks no hash"
    assert vault.status(ACCOUNT).consecutive_failures == 2, "refusals are not counted as guesses"
    other = {"conversation_key": "zendesk:acme:4712", **WHO}
    assert vault.verify(ACCOUNT, PIN, method="agent", **other) == Verified()
    assert vault.verify(ACCOUNT, PIN, method="agent", **here) == NewPinRequired()
    assert vault.unlock(ACCOUNT, supervisor="sup:kim", reason="asked").state == "active"
    assert vault.verify(ACCOUNT, PIN, method="agent", **here) == NewPinRequired(), (
        "a supervisor unlock is not a new PIN"
    )
    reset = vault.reset(
        ACCOUNT,
        "61730492",
        actor="agent:1",
        surface="cli",
        method="in_person_id",
        reason="photo ID checked in store",
        supervisor="sup:kim",
    )
    assert reset.ok
    assert vault.verify(ACCOUNT, "61730492", method="agent", **here) == Verified()
    outcomes = [o for m, k, o in _verifications(database) if k == TICKET]
    assert outcomes == ["rejected", "new_pin_required", *["new_pin_required"] * 4, "verified"]


def test_r16_holds_in_either_order_and_a_success_in_between_clears_it(
    database: Database, clock: FrozenClock, make_vault: VaultFactory
) -> None:
    """An answer failing first also counts; a success before the second factor fails does not."""
    vault = _vault(make_vault)
    _enrolled_with_answer(database, clock, vault)
    first = {"conversation_key": TICKET, **WHO}
    assert vault.verify_backup_answer(ACCOUNT, "rex", **first) == Rejected(4)
    assert vault.verify(ACCOUNT, WRONG_PIN, method="agent", **first) == NewPinRequired()
    second = {"conversation_key": "slack:T1:C1:1700000000.000100", **WHO}
    assert vault.verify(ACCOUNT, WRONG_PIN, method="agent", **second) == Rejected(2)
    assert vault.verify(ACCOUNT, PIN, method="agent", **second) == Verified()
    assert vault.verify_backup_answer(ACCOUNT, "rex", **second) == Rejected(4)
    no_interaction = vault.verify_backup_answer(ACCOUNT, "rex", **WHO)
    assert no_interaction == Rejected(3), "without an interaction R16 cannot apply"


def test_a_first_answer_at_service_start_is_not_notified_but_a_change_is(
    database: Database, clock: FrozenClock, make_vault: VaultFactory
) -> None:
    """R21 for the first answer at activation; R20/R4b: a later change, even flagged, notifies."""
    vault = _vault(make_vault, on_change=notice_sink(load_config({}, env_file=None)))
    _enrolled_with_answer(database, clock, vault)
    args = {"actor": "a", "surface": "cli"}
    assert vault.set_backup_answer(ACCOUNT, "2", PIN, "pumpkin", **args).ok
    flagged = vault.set_backup_answer(ACCOUNT, "1", PIN, "biscuit", at_service_start=True, **args)
    assert flagged.ok
    with database.transaction() as session:
        notices = session.scalars(
            select(Notice).where(Notice.kind == "backup_answer").order_by(Notice.id)
        ).all()
        rows = [(n.action, n.activation_flow, n.state, n.reason) for n in notices]
    assert rows[0] == ("created", True, "skipped", "activation_flow")
    assert [r[:2] for r in rows[1:]] == [("changed", False), ("changed", False)]
    assert all(r[2] != "skipped" for r in rows[1:])
