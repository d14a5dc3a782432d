"""The sidebar backend: ZAF app JWT authentication and the agent's right to act on a ticket."""

from __future__ import annotations

import jwt
import pytest
from fake_zendesk import FakeZendesk
from fastapi.testclient import TestClient
from sqlalchemy import select
from zendesk_support import APP_SECRET, PUBLIC_URL, app_token, seed_account

from bot.container import Container
from bot.domain.audit import AuditAction
from bot.services import conversations
from bot.storage.records import AuditEventRow

from fakes import FrozenClock


def _post(client: TestClient, path: str, token: str | None, **body: object) -> object:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(f"/zendesk/sidebar/{path}", json=body, headers=headers)


@pytest.fixture
def ticket(zd: FakeZendesk) -> int:
    """A ticket in group 500 whose requester is a customer."""
    requester = zd.add_user(email="pat@example.com")
    return zd.add_ticket(requester_id=requester, group_id=500)


@pytest.mark.parametrize(
    "token",
    [
        None,
        "not-a-jwt",
        jwt.encode(
            {"sub": "1", "iss": "https://acme.zendesk.com", "aud": PUBLIC_URL, "exp": 4102444800},
            "wrong-secret-0123456789abcdef0123",
            algorithm="HS256",
        ),
        jwt.encode(
            {"sub": "1", "iss": "https://evil.zendesk.com", "aud": PUBLIC_URL, "exp": 4102444800},
            APP_SECRET,
            algorithm="HS256",
        ),
        jwt.encode(
            {"sub": "1", "iss": "https://acme.zendesk.com", "aud": PUBLIC_URL},
            APP_SECRET,
            algorithm="HS256",
        ),
        jwt.encode(
            {
                "sub": "1",
                "iss": "https://acme.zendesk.com",
                "aud": "https://other",
                "exp": 4102444800,
            },
            APP_SECRET,
            algorithm="HS256",
        ),
    ],
    ids=["missing", "garbage", "wrong-secret", "wrong-issuer", "no-expiry", "wrong-audience"],
)
def test_requests_without_a_valid_app_token_are_refused(
    client: TestClient, ticket: int, token: str | None
) -> None:
    """Only a token signed with the app's secure setting, for this account and bot, is accepted."""
    response = _post(client, "state", token, ticket_id=str(ticket))
    assert response.status_code == 401  # type: ignore[attr-defined]


def test_expired_token_is_refused(client: TestClient, zd: FakeZendesk, ticket: int) -> None:
    """A token past its expiry (beyond 30 s leeway) is refused."""
    agent = zd.add_user(role="agent")
    response = _post(client, "state", app_token(agent, ttl=-120), ticket_id=str(ticket))
    assert response.status_code == 401  # type: ignore[attr-defined]


def test_end_users_and_restricted_agents_are_refused(
    client: TestClient, zd: FakeZendesk, ticket: int
) -> None:
    """An end user, or an agent restricted to groups the ticket is not in, gets 403."""
    end_user = zd.add_user(role="end-user")
    outsider = zd.add_user(role="agent", ticket_restriction="groups", groups=(501,))
    member = zd.add_user(role="agent", ticket_restriction="groups", groups=(500,))
    assert _post(client, "state", app_token(end_user), ticket_id=str(ticket)).status_code == 403  # type: ignore[attr-defined]
    assert _post(client, "state", app_token(outsider), ticket_id=str(ticket)).status_code == 403  # type: ignore[attr-defined]
    assert _post(client, "state", app_token(member), ticket_id=str(ticket)).status_code == 200  # type: ignore[attr-defined]


def test_bad_bodies_are_refused_without_echo(
    client: TestClient, zd: FakeZendesk, ticket: int
) -> None:
    """A missing ticket id or a malformed body is a 400 that does not echo the input."""
    agent = zd.add_user(role="agent")
    response = _post(client, "pin", app_token(agent), ticket_id="12x", pin="9876")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "9876" not in response.text  # type: ignore[attr-defined]


def test_pin_needs_an_account_first(client: TestClient, zd: FakeZendesk, ticket: int) -> None:
    """Entering a PIN before any account is linked is refused with a clear 409."""
    agent = zd.add_user(role="agent")
    response = _post(client, "pin", app_token(agent), ticket_id=str(ticket), pin="482915")
    assert response.status_code == 409  # type: ignore[attr-defined]
    assert "account" in response.json()["error"]  # type: ignore[attr-defined]


def test_unknown_requester_leaves_the_choice_to_the_agent(
    client: TestClient, zd: FakeZendesk, container: Container, clock: FrozenClock
) -> None:
    """With two accounts sharing the requester's email, none is linked; both are offered."""
    seed_account(container, number="ACC-1", email="shared@example.com", now=clock.now)
    seed_account(container, number="ACC-2", email="shared@example.com", pin=None, now=clock.now)
    agent = zd.add_user(role="agent")
    ticket = zd.add_ticket(requester_id=zd.add_user(email="Shared@Example.com"))
    state = _post(client, "state", app_token(agent), ticket_id=str(ticket)).json()  # type: ignore[attr-defined]
    assert state["account_choices"] == ["ACC-1", "ACC-2"]
    linked = _post(
        client, "account", app_token(agent), ticket_id=str(ticket), account_number="ACC-2"
    )
    assert linked.json()["conversation"]["account_number"] == "ACC-2"  # type: ignore[attr-defined]
    missing = _post(
        client, "account", app_token(agent), ticket_id=str(ticket), account_number="NOPE-9"
    )
    assert missing.status_code == 404  # type: ignore[attr-defined]


def test_only_supervisors_may_override(
    client: TestClient, zd: FakeZendesk, container: Container, clock: FrozenClock
) -> None:
    """An agent outside the supervisor group gets 403; a member overrides with a reason (R27)."""
    seed_account(container, now=clock.now)
    ticket = zd.add_ticket(requester_id=zd.add_user(email="pat@example.com"))
    agent = zd.add_user(role="agent")
    supervisor = zd.add_user(role="agent", groups=(700,))
    _post(client, "account", app_token(agent), ticket_id=str(ticket), account_number="ACC-1001")
    refused = _post(
        client,
        "override",
        app_token(agent),
        ticket_id=str(ticket),
        reason="caller verified in person",
    )
    assert refused.status_code == 403  # type: ignore[attr-defined]
    with container.database.transaction() as session:
        conversations.lock(
            session, key=f"zendesk:acme/{ticket}", surface="zendesk", actor="t", now=clock.now
        )
    done = _post(
        client,
        "override",
        app_token(supervisor),
        ticket_id=str(ticket),
        reason="caller verified in person",
    )
    assert done.status_code == 200  # type: ignore[attr-defined]
    assert done.json()["conversation"]["state"] == "overridden"  # type: ignore[attr-defined]


def _manual_locks(container: Container, key: str) -> list[tuple[str, str | None]]:
    with container.database.transaction() as session:
        rows = session.scalars(
            select(AuditEventRow).where(
                AuditEventRow.conversation_key == key,
                AuditEventRow.action == AuditAction.CONVERSATION_LOCKED.value,
            )
        ).all()
        return [(row.actor, row.outcome) for row in rows]


def test_agent_locks_an_open_ticket_by_hand(
    client: TestClient, zd: FakeZendesk, container: Container, ticket: int
) -> None:
    """Any agent may lock a ticket the detector missed: the lock is audited as manual, and the
    private note and cpni_locked tag follow once the worker runs (R6, R27)."""
    agent = zd.add_user(role="agent", ticket_restriction="groups", groups=(500,))
    key = f"zendesk:acme/{ticket}"
    assert (
        _post(client, "state", app_token(agent), ticket_id=str(ticket)).json()[  # type: ignore[attr-defined]
            "conversation"
        ]["state"]
        == "open"
    )
    response = _post(client, "lock", app_token(agent), ticket_id=str(ticket))
    assert response.status_code == 200  # type: ignore[attr-defined]
    payload = response.json()  # type: ignore[attr-defined]
    assert payload["conversation"]["state"] == "locked"
    assert payload["conversation"]["locked"] is True
    assert payload["supervisor"] is False
    assert payload["history"][0]["action"] == "conversation_locked"
    assert _manual_locks(container, key) == [(f"zendesk-agent:{agent}", "manual")]
    container.new_worker().run_until_idle()
    assert "cpni_locked" in zd.state.tickets[ticket]["tags"]
    notes = zd.notes(ticket)
    assert len(notes) == 1
    assert zd.public_comments(ticket) == []


def test_unauthenticated_lock_is_refused_and_changes_nothing(
    client: TestClient, zd: FakeZendesk, container: Container, ticket: int
) -> None:
    """A lock request without a valid app token gets 401: no conversation, audit, note or tag."""
    key = f"zendesk:acme/{ticket}"
    for token in (None, app_token(zd.add_user(role="agent"), secret="x" * 32)):
        response = _post(client, "lock", token, ticket_id=str(ticket))
        assert response.status_code == 401  # type: ignore[attr-defined]
    container.new_worker().run_until_idle()
    with container.database.transaction() as session:
        assert conversations.get_view(session, key) is None
    assert _manual_locks(container, key) == []
    assert zd.notes(ticket) == []
    assert "cpni_locked" not in zd.state.tickets[ticket]["tags"]


def test_agents_who_may_not_act_on_the_ticket_cannot_lock_it(
    client: TestClient, zd: FakeZendesk, container: Container, ticket: int
) -> None:
    """An agent restricted to other groups gets 403 and the ticket stays unlocked."""
    outsider = zd.add_user(role="agent", ticket_restriction="groups", groups=(501,))
    response = _post(client, "lock", app_token(outsider), ticket_id=str(ticket))
    assert response.status_code == 403  # type: ignore[attr-defined]
    with container.database.transaction() as session:
        assert conversations.get_view(session, f"zendesk:acme/{ticket}") is None
