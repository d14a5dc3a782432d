"""PIN migration out of a Sonar custom field into the vault (dry run, flags, clearing)."""

from __future__ import annotations

import base64

from fake_sonar import FakeSonar
from sonar_support import make_gateway
from sqlalchemy import select

from bot.container import Container
from bot.domain.audit import AuditAction
from bot.security import TEST_PARAMETERS, PinHasher, parse_pepper_keys
from bot.services.pin_vault import PinVault
from bot.services.sonar_pins import import_pins
from bot.services.sonar_sync import sync_accounts
from bot.storage.accounts import Account, Credential
from bot.storage.queues import OutboxItem
from bot.storage.records import AuditEventRow
from handlers.sonar.worker import routing_for

from fakes import FrozenClock

FIELD = "77"
PINS = {"good": "4829", "weak": "1234"}


def _setup(container: Container, sonar: FakeSonar, clock: FrozenClock) -> dict[str, str]:
    sonar.data.tables["custom_fields"][FIELD] = {
        "id": FIELD,
        "name": "CPNI PIN",
        "entity_type": "Account",
        "type": "TEXT",
    }
    ids = {
        "good": sonar.data.add_account("Pat Doe", email="pat@example.net"),
        "weak": sonar.data.add_account("Lee Roe", email="lee@example.net"),
        "stranger": "99999",
    }
    for key, account in ids.items():
        sonar.data.set_custom_field(account, FIELD, PINS.get(key, "5190"))
    gateway = make_gateway(sonar)
    sync_accounts(container.database, gateway, routing=routing_for(container, gateway), now=clock())
    return ids


def _run(container: Container, sonar: FakeSonar, clock: FrozenClock, **options: bool):
    ring = parse_pepper_keys("k1:" + base64.b64encode(b"\x01" * 32).decode())
    hasher = PinHasher(ring, parameters=TEST_PARAMETERS)
    vault = PinVault(
        container.database, hasher, pepper=ring, clock=clock, pin_policy=container.config.policy.pin
    )
    report = import_pins(
        container.database,
        make_gateway(sonar),
        vault,
        field_name="CPNI PIN",
        hash_pin=hasher.hash,
        pin_policy=container.config.policy.pin,
        now=clock(),
        **options,
    )
    return report, vault


def _credentials(container: Container) -> dict[str, Credential]:
    with container.database.transaction() as session:
        rows = session.execute(
            select(Account.account_number, Credential).join(
                Credential, Credential.account_id == Account.id
            )
        ).all()
        return {number: row for number, row in rows}


def test_a_dry_run_changes_nothing_here_or_in_sonar(
    container: Container, sonar: FakeSonar, clock: FrozenClock
) -> None:
    """--dry-run reports what would happen and stores, clears and audits nothing."""
    ids = _setup(container, sonar, clock)
    before = dict(sonar.data.custom_values(FIELD))
    report, _ = _run(container, sonar, clock, dry_run=True, clear_source=True)
    assert (report.imported, report.flagged, report.unknown_account, report.cleared) == (1, 1, 1, 0)
    assert report.flagged_accounts == [ids["weak"]]
    assert _credentials(container) == {}
    assert sonar.data.custom_values(FIELD) == before
    assert "UnsetCustomField" not in sonar.operations


def test_a_real_import_with_clear_source_leaves_no_clear_pin_in_sonar(
    container: Container, sonar: FakeSonar, clock: FrozenClock
) -> None:
    """PINs are hashed into the vault, weak ones flagged (not refused), and the field blanked."""
    ids = _setup(container, sonar, clock)
    report, vault = _run(container, sonar, clock, clear_source=True)
    assert (report.imported, report.flagged, report.cleared) == (1, 1, 2)
    creds = _credentials(container)
    assert creds[ids["good"]].needs_reenrolment is False
    assert creds[ids["weak"]].needs_reenrolment is True
    assert all(c.pin_hash and PINS["good"] not in c.pin_hash for c in creds.values())
    assert (
        vault.verify(ids["good"], "4829", actor="t", surface="test", method="agent").kind
        == "verified"
    )
    assert (
        vault.verify(ids["weak"], "1234", actor="t", surface="test", method="agent").kind
        == "verified"
    )
    remaining = sonar.data.custom_values(FIELD)
    assert set(remaining) == {ids["stranger"]}  # not in the directory: left for a later run
    with container.database.transaction() as session:
        cleared = session.scalars(
            select(AuditEventRow).where(AuditEventRow.outcome == "sonar_pin_field_cleared")
        ).all()
        assert sorted(r.account_number for r in cleared) == sorted([ids["good"], ids["weak"]])
        notes = session.scalars(select(OutboxItem).where(OutboxItem.kind == "sonar.note")).all()
        assert [n.payload["account"] for n in notes] == [ids["weak"]]
        flagged = session.scalars(
            select(AuditEventRow).where(
                AuditEventRow.action == AuditAction.PIN_ENROLLED,
                AuditEventRow.outcome == "flagged_for_reenrolment",
            )
        ).one()
        assert flagged.details["pin_policy_reasons"]


def test_re_running_the_import_is_safe(
    container: Container, sonar: FakeSonar, clock: FrozenClock
) -> None:
    """A second run finds every account enrolled and changes no credential."""
    _setup(container, sonar, clock)
    _run(container, sonar, clock)
    hashes = {k: c.pin_hash for k, c in _credentials(container).items()}
    report, _ = _run(container, sonar, clock)
    assert (report.imported, report.flagged, report.already_enrolled) == (0, 0, 2)
    assert {k: c.pin_hash for k, c in _credentials(container).items()} == hashes


def test_an_unknown_field_is_reported_and_nothing_happens(
    container: Container, sonar: FakeSonar, clock: FrozenClock
) -> None:
    """A misspelt field name is a clear error, not an empty import."""
    report, _ = _run(container, sonar, clock)
    assert report.problem == "no Sonar custom field is named 'CPNI PIN'"
