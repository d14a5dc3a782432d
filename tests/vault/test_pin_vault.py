"""The PIN vault service on SQLite and PostgreSQL: verify, enrol, change, reset, unlock."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from sqlalchemy import select
from vault_support import ACCOUNT, CountingHasher, VaultFactory, add_account, pepper_entry

from bot.config import load_config
from bot.domain.audit import AuditAction
from bot.domain.pin_policy import PinRefusal
from bot.domain.verification import LockedOut, NoPinOnFile, Rejected, UnknownAccount, Verified
from bot.security import TEST_PARAMETERS, parse_pepper_keys
from bot.services._vault_notices import notice_sink
from bot.services._vault_otp import open_otp_payload
from bot.services.pin_vault import PinUpdateStatus
from bot.storage.accounts import Credential
from bot.storage.db import Database
from bot.storage.notices import Notice
from bot.storage.queues import OutboxItem
from bot.storage.records import AuditEventRow

from fakes import FrozenClock

PIN = "48152039"
WRONG = "90817263"


def _actions(database: Database, action: str) -> list[AuditEventRow]:
    with database.transaction() as session:
        rows = session.scalars(
            select(AuditEventRow).where(AuditEventRow.action == action).order_by(AuditEventRow.id)
        ).all()
        session.expunge_all()
        return list(rows)


def _enrolled(database: Database, clock: FrozenClock, make_vault: VaultFactory) -> None:
    add_account(database, clock)
    result = make_vault().enrol(ACCOUNT, PIN, actor="agent:1", surface="cli", at_service_start=True)
    assert result.ok


def test_a_pin_derived_from_account_data_is_refused_with_every_reason(
    database: Database, clock: FrozenClock, make_vault: VaultFactory
) -> None:
    """A PIN built from the phone number, street number and ZIP is refused for each (R14)."""
    add_account(database, clock)
    vault = make_vault()
    result = vault.enrol(ACCOUNT, "7425018", actor="a", surface="cli", at_service_start=True)
    codes = {p.code for p in result.problems}
    assert result.status is PinUpdateStatus.REFUSED_BY_POLICY
    assert {PinRefusal.TELEPHONE_NUMBER, PinRefusal.STREET_NUMBER} <= codes
    zip_pin = vault.enrol(ACCOUNT, "1974038", actor="a", surface="cli", at_service_start=True)
    assert PinRefusal.ZIP_CODE in {p.code for p in zip_pin.problems}
    account_pin = vault.enrol(ACCOUNT, "8120019", actor="a", surface="cli", at_service_start=True)
    assert PinRefusal.ACCOUNT_NUMBER in {p.code for p in account_pin.problems}
    assert vault.status(ACCOUNT).state == "no_pin"
    refusals = _actions(database, AuditAction.PIN_ENROLLED)
    assert [r.outcome for r in refusals] == ["refused_by_policy"] * 3
    assert "telephone_number" in refusals[0].details["pin_policy_reasons"]


def test_verify_outcomes_and_the_dummy_hash_for_missing_pins(
    database: Database, clock: FrozenClock, make_vault: VaultFactory, ring: object
) -> None:
    """Unknown accounts and missing PINs cost a dummy hash; right and wrong PINs one check."""
    add_account(database, clock)
    hasher = CountingHasher(parse_pepper_keys(pepper_entry("k1", 1)))
    vault = make_vault(hasher=hasher)
    who = {"actor": "agent:1", "surface": "slack", "method": "agent"}
    assert vault.verify("NOPE-1", PIN, **who) == UnknownAccount()
    assert vault.verify(ACCOUNT, PIN, **who) == NoPinOnFile()
    assert (hasher.dummies, hasher.verifications) == (2, 0)
    assert vault.enrol(ACCOUNT, PIN, actor="a", surface="cli", at_service_start=True).ok
    assert vault.verify(ACCOUNT, WRONG, **who) == Rejected(attempts_left=4)
    assert vault.verify(ACCOUNT, PIN, **who) == Verified()
    assert hasher.verifications == 2
    assert vault.status(ACCOUNT).consecutive_failures == 0, "a success resets the counter"
    outcomes = [r.outcome for r in _actions(database, AuditAction.PIN_VERIFY)]
    assert outcomes == ["unknown_account", "no_pin_on_file", "rejected", "verified"]


def test_a_lockout_refuses_the_right_pin_without_hashing_until_it_expires(
    database: Database, clock: FrozenClock, make_vault: VaultFactory
) -> None:
    """Five wrong PINs lock for 30 minutes; the right PIN is refused, unhashed and audited."""
    _enrolled(database, clock, make_vault)
    hasher = CountingHasher(parse_pepper_keys(pepper_entry("k1", 1)))
    vault = make_vault(hasher=hasher)
    who = {"actor": "agent:1", "surface": "slack", "method": "agent"}
    outcomes = [vault.verify(ACCOUNT, WRONG, **who) for _ in range(5)]
    assert outcomes[-1] == LockedOut(until=clock() + timedelta(minutes=30))
    assert vault.verify(ACCOUNT, PIN, **who) == outcomes[-1]
    assert hasher.verifications == 5, "the refused right PIN was not hashed"
    last = _actions(database, AuditAction.PIN_VERIFY)[-1]
    assert (last.outcome, last.details["evaluated"]) == ("locked_out", False)
    assert [r.outcome for r in _actions(database, AuditAction.PIN_LOCKOUT)] == ["timed"]
    clock.advance(minutes=29)
    assert isinstance(vault.verify(ACCOUNT, PIN, **who), LockedOut)
    clock.advance(minutes=1)
    assert vault.verify(ACCOUNT, PIN, **who) == Verified()


def test_a_hard_lock_is_left_only_by_supervisor_unlock_or_reenrolment(
    database: Database, clock: FrozenClock, make_vault: VaultFactory
) -> None:
    """Ten consecutive failures hard-lock; time does not help, an unlock or a reset does."""
    _enrolled(database, clock, make_vault)
    vault = make_vault()
    who = {"actor": "agent:1", "surface": "slack", "method": "agent"}
    for _ in range(2):
        for _ in range(5):
            vault.verify(ACCOUNT, WRONG, **who)
        clock.advance(hours=2)
    assert vault.status(ACCOUNT).state == "hard_locked"
    clock.advance(days=30)
    assert vault.verify(ACCOUNT, PIN, **who) == LockedOut(until=None)
    assert vault.unlock(ACCOUNT, supervisor="sup:kim", reason="caller verified").state == "active"
    assert vault.verify(ACCOUNT, PIN, **who) == Verified()
    for _ in range(2):
        for _ in range(5):
            vault.verify(ACCOUNT, WRONG, **who)
        clock.advance(hours=2)
    assert vault.status(ACCOUNT).hard_locked
    reset = vault.reset(
        ACCOUNT,
        "61730492",
        actor="agent:1",
        surface="cli",
        method="in_person_id",
        reason="store visit",
        supervisor="sup:kim",
    )
    assert reset.ok
    assert vault.verify(ACCOUNT, "61730492", **who) == Verified()
    unlocks = _actions(database, AuditAction.PIN_UNLOCKED)
    assert [(u.actor, u.outcome) for u in unlocks] == [("sup:kim", "unlocked")]
    resets = _actions(database, AuditAction.PIN_RESET)
    assert (resets[-1].method, resets[-1].details["supervisor"]) == ("photo_id", "sup:kim")


def test_pepper_rotation_rehashes_in_place_through_the_service(
    database: Database, clock: FrozenClock, make_vault: VaultFactory
) -> None:
    """A PIN hashed under a retired key verifies and is rehashed under the current key."""
    _enrolled(database, clock, make_vault)
    with database.transaction() as session:
        before = session.scalars(select(Credential)).one()
        old_hash, old_key = before.pin_hash, before.pepper_key_id
    rotated = parse_pepper_keys(pepper_entry("k2", 2), pepper_entry("k1", 1))
    vault = make_vault(pepper=rotated)
    assert vault.verify(ACCOUNT, PIN, actor="a", surface="cli", method="cli") == Verified()
    with database.transaction() as session:
        after = session.scalars(select(Credential)).one()
    assert (old_key, after.pepper_key_id) == ("k1", "k2")
    assert after.pin_hash != old_hash
    only_new = make_vault(pepper=parse_pepper_keys(pepper_entry("k2", 2)))
    assert only_new.verify(ACCOUNT, PIN, actor="a", surface="cli", method="cli") == Verified()


def test_outdated_argon2_parameters_are_rehashed_on_success(
    database: Database, clock: FrozenClock, make_vault: VaultFactory, ring: object
) -> None:
    """A hash made with other argon2 parameters is replaced after a successful verify."""
    _enrolled(database, clock, make_vault)
    stronger = dataclasses.replace(TEST_PARAMETERS, time_cost=2)
    hasher = CountingHasher(parse_pepper_keys(pepper_entry("k1", 1)), parameters=stronger)
    vault = make_vault(hasher=hasher)
    assert vault.verify(ACCOUNT, PIN, actor="a", surface="cli", method="cli") == Verified()
    with database.transaction() as session:
        stored = session.scalars(select(Credential.pin_hash)).one()
    assert stored is not None and ",t=2," in stored


def test_change_needs_the_current_pin_and_counts_it_as_an_attempt(
    database: Database, clock: FrozenClock, make_vault: VaultFactory
) -> None:
    """A wrong current PIN is a counted failure; a right one allows a policy-checked new PIN."""
    _enrolled(database, clock, make_vault)
    vault = make_vault()
    wrong = vault.change(ACCOUNT, WRONG, "52917364", actor="a", surface="cli")
    assert wrong.status is PinUpdateStatus.NOT_AUTHENTICATED
    assert wrong.verification == Rejected(attempts_left=4)
    weak = vault.change(ACCOUNT, PIN, "1111", actor="a", surface="cli")
    assert weak.status is PinUpdateStatus.REFUSED_BY_POLICY
    assert vault.change(ACCOUNT, PIN, "52917364", actor="a", surface="cli").ok
    assert isinstance(vault.verify(ACCOUNT, PIN, actor="a", surface="cli", method="cli"), Rejected)
    assert vault.verify(ACCOUNT, "52917364", actor="a", surface="cli", method="cli") == Verified()


def test_enrolment_at_service_start_sends_no_notice_but_a_change_does(
    database: Database, clock: FrozenClock, make_vault: VaultFactory
) -> None:
    """The first PIN at activation sends no notice; a later change is notified (R20, R21)."""
    add_account(database, clock)
    vault = make_vault(on_change=notice_sink(load_config({}, env_file=None)))
    assert vault.enrol(ACCOUNT, PIN, actor="a", surface="cli", at_service_start=True).ok
    assert vault.change(ACCOUNT, PIN, "52917364", actor="a", surface="cli").ok
    with database.transaction() as session:
        notices = session.scalars(select(Notice).order_by(Notice.id)).all()
        rows = [(n.kind, n.action, n.activation_flow, n.state, n.reason) for n in notices]
    assert rows[0] == ("pin", "created", True, "skipped", "activation_flow")
    assert rows[1][:3] == ("pin", "changed", False)
    assert rows[1][3] != "skipped"


def test_a_reset_by_one_time_code_is_single_use_and_refuses_wrong_codes(
    database: Database, clock: FrozenClock, make_vault: VaultFactory, ring: object
) -> None:
    """A code sent to the number of record allows one reset; wrong codes are counted (R14)."""
    _enrolled(database, clock, make_vault)
    vault = make_vault()
    sent = vault.start_reset_otp(ACCOUNT)
    assert (sent.sent, sent.channel) == (True, "sms")
    with database.transaction() as session:
        item = session.scalars(select(OutboxItem).where(OutboxItem.kind == "notify.otp")).one()
        payload = dict(item.payload)
    message = open_otp_payload(parse_pepper_keys(pepper_entry("k1", 1)), payload)
    assert message.destination == "+15415550187"
    assert message.code not in str(payload), "the outbox holds the code sealed only"
    wrong_code = "000000" if message.code != "000000" else "111111"
    args = {"actor": "a", "surface": "cli", "method": "otp", "reason": "forgot"}
    assert vault.reset(ACCOUNT, "52917364", code=wrong_code, **args).status is (
        PinUpdateStatus.NOT_AUTHENTICATED
    )
    assert vault.reset(ACCOUNT, "1111", code=message.code, **args).status is (
        PinUpdateStatus.REFUSED_BY_POLICY
    ), "a refused PIN leaves the code usable"
    assert vault.reset(ACCOUNT, "52917364", code=message.code, **args).ok
    again = vault.reset(ACCOUNT, "63018475", code=message.code, **args)
    assert again.status is PinUpdateStatus.NOT_AUTHENTICATED
    assert vault.verify(ACCOUNT, "52917364", actor="a", surface="cli", method="cli") == Verified()


def test_one_agent_failing_on_three_accounts_raises_possible_pretexting(
    database: Database, clock: FrozenClock, make_vault: VaultFactory
) -> None:
    """One agent failing on 3 accounts within the hour raises one signal (R26)."""
    vault = make_vault()
    for number in ("ACC-3001", "ACC-3002", "ACC-3003"):
        add_account(database, clock, number)
        assert vault.enrol(number, PIN, actor="a", surface="cli", at_service_start=True).ok
    for number in ("ACC-3001", "ACC-3001", "ACC-3002"):
        vault.verify(number, WRONG, actor="slack:T1/U9", surface="slack", method="agent")
    assert _actions(database, AuditAction.POSSIBLE_PRETEXTING) == []
    vault.verify("ACC-3003", WRONG, actor="slack:T1/U9", surface="slack", method="agent")
    vault.verify("ACC-3003", WRONG, actor="slack:T1/U9", surface="slack", method="agent")
    signals = _actions(database, AuditAction.POSSIBLE_PRETEXTING)
    assert len(signals) == 1
    assert signals[0].details["subject"] == "slack:T1/U9"
    assert signals[0].details["accounts"] == ["ACC-3001", "ACC-3002", "ACC-3003"]
