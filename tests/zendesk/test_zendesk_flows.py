"""End-to-end Zendesk scenarios: zenpy over real HTTP against the fake API, signed webhooks."""

from __future__ import annotations

from datetime import timedelta

from fake_zendesk import FakeZendesk
from fastapi.testclient import TestClient
from sqlalchemy import select
from zendesk_support import PIN, app_token, comment_event, seed_account, signed

from bot.container import Container
from bot.services import conversations
from bot.storage.queues import OutboxItem
from bot.storage.records import AuditEventRow

from fakes import FrozenClock

ASK = "Hi, which numbers called me yesterday and how many minutes did I use in May?"


def _deliver(client: TestClient, payload: dict, clock: FrozenClock) -> None:
    request = signed(payload, at=clock.now)
    response = client.post("/zendesk/webhook", content=request.body, headers=request.headers)
    assert response.status_code == 200, response.text


def _customer_asks(
    zd: FakeZendesk,
    client: TestClient,
    clock: FrozenClock,
    *,
    channel: str,
    email: str | None = "pat@example.com",
    phone: str | None = None,
) -> tuple[int, int]:
    requester = zd.add_user(email=email, phone=phone)
    ticket = zd.add_ticket(requester_id=requester, channel=channel)
    comment = zd.add_comment(ticket, ASK, author_id=requester, channel=channel)
    _deliver(
        client, comment_event(ticket, comment, ASK, author_id=requester, channel=channel), clock
    )
    return ticket, requester


def _run(container: Container) -> None:
    container.new_worker().run_until_idle()


def _sidebar(client: TestClient, path: str, agent: int, **body: object) -> dict:
    response = client.post(
        f"/zendesk/sidebar/{path}",
        json=body,
        headers={"Authorization": f"Bearer {app_token(agent)}"},
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_phone_ticket_is_locked_then_verified_in_the_sidebar(
    zd: FakeZendesk, client: TestClient, container: Container, clock: FrozenClock
) -> None:
    """A CPNI question on a phone ticket gets one private note and cpni_locked; a PIN entered
    in the sidebar verifies it, notes who/how/until and swaps the tag (R1, R6, R17)."""
    seed_account(container, email=None, phone="+14155550123", now=clock.now)
    agent = zd.add_user(role="agent")
    ticket, _ = _customer_asks(
        zd, client, clock, channel="voice", email=None, phone="(415) 555-0123"
    )
    _run(container)

    notes = zd.notes(ticket)
    assert len(notes) == 1
    assert "PIN required" in notes[0]["body"] and "call_detail" in notes[0]["body"]
    assert zd.state.tickets[ticket]["tags"] == ["cpni_locked"]
    assert zd.state.tickets[ticket]["custom_fields"] == [{"id": 360001, "value": "locked"}]
    assert zd.calls_to("POST", r"/api/v2/tickets/\d+/tags\.json") == []  # never replaces tags
    assert all(c["public"] is False for c in zd.state.comments[ticket][1:])

    state = _sidebar(client, "state", agent, ticket_id=str(ticket))
    assert state["conversation"]["locked"] is True
    assert state["conversation"]["account_number"] == "ACC-1001"

    wrong = _sidebar(client, "pin", agent, ticket_id=str(ticket), pin="000111")
    assert wrong["result"] == "rejected" and wrong["attempts_left"] >= 1
    right = _sidebar(client, "pin", agent, ticket_id=str(ticket), pin=PIN)
    assert right["result"] == "verified"
    _run(container)

    notes = zd.notes(ticket)
    assert len(notes) == 2
    assert f"zendesk-agent:{agent}" in notes[1]["body"]
    assert "sidebar" in notes[1]["body"] and "until" in notes[1]["body"]
    assert zd.state.tickets[ticket]["tags"] == ["cpni_verified"]
    history = _sidebar(client, "state", agent, ticket_id=str(ticket))["history"]
    assert any(h["action"] == "conversation_unlocked" for h in history)


def test_email_ticket_pin_reply_is_verified_and_redacted(
    zd: FakeZendesk, client: TestClient, container: Container, clock: FrozenClock
) -> None:
    """On an email ticket the bot asks by public reply; the customer's PIN reply verifies the
    ticket and is redacted with comment_redactions; no note holds the PIN."""
    seed_account(container, now=clock.now)
    ticket, requester = _customer_asks(zd, client, clock, channel="email")
    _run(container)

    prompts = [c for c in zd.public_comments(ticket) if "secure page" in c["body"]]
    assert len(prompts) == 1 and "http://127.0.0.1:3000/v/" in prompts[0]["body"]
    assert len(zd.notes(ticket)) >= 1

    reply = (
        f"Sure, my PIN is {PIN}\n\n"
        "On Mon, Mar 2, 2026 at 3:00 PM Support wrote:\n> To protect your account"
    )
    comment = zd.add_comment(ticket, reply, author_id=requester, channel="email")
    clock.advance(minutes=1)
    _deliver(
        client, comment_event(ticket, comment, reply, author_id=requester, channel="mail"), clock
    )
    _run(container)

    body = next(c for c in zd.state.comments[ticket] if c["id"] == comment)["body"]
    assert PIN not in body and "▇" * len(PIN) in body
    assert len(zd.calls_to("PUT", r"/api/v2/comment_redactions/\d+\.json")) == 1
    assert zd.calls_to("PUT", r"/api/v2/tickets/\d+/comments/\d+/redact\.json") == []
    with container.database.transaction() as session:
        view = conversations.get_view(session, f"zendesk:acme/{ticket}")
    assert view is not None and view.state.value == "verified" and view.verified_method == "reply"
    assert zd.state.tickets[ticket]["tags"] == ["cpni_verified"]
    assert all(PIN not in n["body"] for n in zd.notes(ticket))
    assert "PIN sent by email reply" in zd.notes(ticket)[-1]["body"]


def test_wrong_pin_reply_is_redacted_and_noted(
    zd: FakeZendesk, client: TestClient, container: Container, clock: FrozenClock
) -> None:
    """A wrong PIN by email keeps the ticket locked, is redacted, and a note gives attempts left."""
    seed_account(container, now=clock.now)
    ticket, requester = _customer_asks(zd, client, clock, channel="email")
    _run(container)
    comment = zd.add_comment(ticket, "PIN 111999", author_id=requester, channel="email")
    _deliver(
        client,
        comment_event(ticket, comment, "PIN 111999", author_id=requester, channel="mail"),
        clock,
    )
    _run(container)
    assert "111999" not in str(zd.state.comments[ticket])
    assert "did not match" in zd.notes(ticket)[-1]["body"]
    assert "cpni_locked" in zd.state.tickets[ticket]["tags"]


def test_redelivered_webhook_yields_one_note(
    zd: FakeZendesk, client: TestClient, container: Container, clock: FrozenClock
) -> None:
    """The same event delivered three times (and processed in between) posts one note."""
    seed_account(container, now=clock.now)
    requester = zd.add_user(email="pat@example.com")
    ticket = zd.add_ticket(requester_id=requester, channel="web")
    comment = zd.add_comment(ticket, ASK, author_id=requester)
    payload = comment_event(ticket, comment, ASK, author_id=requester, event_id="evt-same")
    for _ in range(3):
        _deliver(client, payload, clock)
        _run(container)
        clock.advance(seconds=20)
    assert len(zd.notes(ticket)) == 1
    assert len(zd.calls_to("PUT", r"/api/v2/tickets/\d+/tags\.json")) == 1


def test_outage_delays_notes_but_loses_none(
    zd: FakeZendesk, client: TestClient, container: Container, clock: FrozenClock
) -> None:
    """Zendesk answering 500 for ten minutes delays the note; once it recovers exactly one note
    is posted and nothing is dead-lettered (DESIGN: nothing accepted is ever lost)."""
    seed_account(container, now=clock.now)
    zd.outage(500)  # the webhook is still accepted: it never calls Zendesk
    ticket, _ = _customer_asks(zd, client, clock, channel="web")
    for _ in range(20):
        _run(container)
        clock.advance(seconds=30)
    assert zd.notes(ticket) == []
    zd.outage(None)
    for _ in range(10):
        clock.advance(minutes=2)
        _run(container)
    assert len(zd.notes(ticket)) == 1
    with container.database.transaction() as session:
        states = set(session.scalars(select(OutboxItem.state)))
    assert states == {"done"}


def test_429_retry_after_reschedules_without_blocking(
    zd: FakeZendesk, client: TestClient, container: Container, clock: FrozenClock
) -> None:
    """A 429 whose Retry-After exceeds zenpy's budget goes back to the outbox for that long."""
    seed_account(container, now=clock.now)
    ticket, _ = _customer_asks(zd, client, clock, channel="web")
    zd.fail(429, retry_after=120)
    _run(container)
    with container.database.transaction() as session:
        item = session.scalars(select(OutboxItem).where(OutboxItem.kind == "zendesk.screen")).one()
        assert item.state == "pending"
        assert item.available_at == clock.now + timedelta(seconds=120)
    clock.advance(seconds=121)
    _run(container)
    assert len(zd.notes(ticket)) == 1


def test_short_retry_after_is_waited_within_budget(
    zd: FakeZendesk, client: TestClient, container: Container, clock: FrozenClock
) -> None:
    """A 429 with a Retry-After inside the budget is waited out by zenpy and the call succeeds."""
    seed_account(container, now=clock.now)
    ticket, _ = _customer_asks(zd, client, clock, channel="web")
    zd.fail(429, retry_after=1)
    _run(container)
    assert len(zd.notes(ticket)) == 1


def test_per_ticket_update_limit_reschedules(
    zd: FakeZendesk, client: TestClient, container: Container, clock: FrozenClock
) -> None:
    """When the ticket has had 30 updates in 10 minutes the note waits for the window."""
    seed_account(container, now=clock.now)
    ticket, _ = _customer_asks(zd, client, clock, channel="web")
    zd.state.updates[ticket] = [clock.now] * 30  # 30 updates in the window already
    _run(container)
    assert zd.notes(ticket) == []
    clock.advance(minutes=11)
    _run(container)
    assert len(zd.notes(ticket)) == 1


def test_complaint_tag_is_recorded_once(
    zd: FakeZendesk, client: TestClient, container: Container, clock: FrozenClock
) -> None:
    """A cpni_complaint_disclosure tag is recorded once however often it is screened (R33)."""
    requester = zd.add_user(email="x@example.com")
    ticket = zd.add_ticket(requester_id=requester, tags=("cpni_complaint_disclosure",))
    for n in range(2):
        comment = zd.add_comment(ticket, f"hello {n}", author_id=requester)
        _deliver(client, comment_event(ticket, comment, "hello", author_id=requester), clock)
        _run(container)
    with container.database.transaction() as session:
        rows = session.scalars(
            select(AuditEventRow).where(AuditEventRow.conversation_key == f"zendesk:acme/{ticket}")
        ).all()
        complaints = [r for r in rows if "complaint" in r.action]
    assert len(complaints) == 1
