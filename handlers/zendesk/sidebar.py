"""``/zendesk/sidebar/...``: the backend API of the ticket sidebar app.

Every request carries ``Authorization: Bearer <JWT>``: an HS256 token that the Zendesk proxy
signs with the app's secure setting (``CPNI_ZENDESK_APP_SECRET``; the browser never sees it,
platform-notes B3). The token must name this account (``iss``), this bot (``aud``) and the agent
(``sub``), and be unexpired. The ticket id comes in the JSON body; the agent's right to act on
that ticket is checked against Zendesk itself (role, ticket restriction, groups), never taken
from the client (both checks live in ``sidebar_auth``). The app's ``ticket.save`` hook is only
an aid: these checks and the notes are the control.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import select

from bot.container import Container
from bot.domain.verification import (
    LockedOut,
    NewPinRequired,
    NoPinOnFile,
    Rejected,
    UnknownAccount,
    Verified,
)
from bot.errors import CpniBotError, IllegalTransitionError
from bot.services import conversations, pin_gate
from bot.services.conversations import ConversationView
from bot.storage.records import AuditEventRow
from bot.worker import enqueue_effect
from handlers.zendesk.context import SURFACE, ZendeskContext
from handlers.zendesk.matching import candidate_accounts
from handlers.zendesk.messages import NEW_PIN_REQUIRED
from handlers.zendesk.sidebar_auth import AgentAccess, SidebarError, authorize, claims

__all__ = ["AgentAccess", "router", "view_json"]

_HISTORY = 20


def view_json(view: ConversationView | None) -> dict[str, Any]:
    """The conversation as the sidebar shows it (no message text, no PIN)."""
    if view is None:
        return {"state": "open", "locked": False, "categories": [], "reasons": []}
    return {
        "state": view.state.value,
        "locked": view.is_locked,
        "until": view.until.isoformat() if view.until else None,
        "account_number": view.account_number,
        "categories": list(view.categories),
        "reasons": list(view.reasons),
        "verified_by": view.verified_by,
        "verified_method": view.verified_method,
        "version": view.version,
    }


def _history(ctx: ZendeskContext, key: str) -> list[dict[str, Any]]:
    with ctx.container.database.transaction() as session:
        rows = session.scalars(
            select(AuditEventRow)
            .where(AuditEventRow.conversation_key == key)
            .order_by(AuditEventRow.id.desc())
            .limit(_HISTORY)
        ).all()
        return [
            {
                "at": r.occurred_at.isoformat(),
                "actor": r.actor,
                "action": r.action,
                "method": r.method,
                "outcome": r.outcome,
            }
            for r in rows
        ]


class _Body:
    """The JSON body, validated by hand so that no value (a PIN) is ever echoed back."""

    def __init__(self, raw: bytes) -> None:
        try:
            data = json.loads(raw or b"{}")
        except ValueError as exc:
            raise SidebarError(400, "body is not valid JSON") from exc
        if not isinstance(data, dict):
            raise SidebarError(400, "body must be a JSON object")
        self.data = data
        self.ticket_id = self.text("ticket_id", max_len=20)
        if not self.ticket_id.isdigit():
            raise SidebarError(400, "ticket_id must be numeric")

    def text(self, name: str, *, max_len: int, required: bool = True) -> str:
        value = self.data.get(name)
        if value is None and not required:
            return ""
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip() or len(value) > max_len:
            raise SidebarError(400, f"{name} is missing or invalid")
        return value.strip()


def _outcome_json(outcome: object) -> dict[str, Any]:
    if isinstance(outcome, Rejected):
        return {"result": "rejected", "attempts_left": outcome.attempts_left}
    if isinstance(outcome, LockedOut):
        return {
            "result": "locked_out",
            "locked_until": outcome.until.isoformat() if outcome.until else None,
        }
    if isinstance(outcome, NewPinRequired):  # R16: the agent is told the only way forward
        return {"result": "new_pin_required", "message": NEW_PIN_REQUIRED}
    if isinstance(outcome, Verified | NoPinOnFile | UnknownAccount):
        return {"result": outcome.kind}
    return {"result": "failed"}


class _Actions:
    """The sidebar's use cases, run in a worker thread (they block on DB and Zendesk)."""

    def __init__(self, ctx: ZendeskContext) -> None:
        self.ctx = ctx

    def state(self, access: AgentAccess, body: _Body) -> dict[str, Any]:
        key = self.ctx.key_for(body.ticket_id)
        with self.ctx.container.database.transaction() as session:
            view = conversations.get_view(session, key)
        choices: list[str] = []
        if view is None or view.account_number is None:
            gateway = self.ctx.gateway()
            requester_id = gateway.ticket(body.ticket_id).requester_id
            user = gateway.user(requester_id) if requester_id else None
            if user is not None:
                with self.ctx.container.database.transaction() as session:
                    choices = candidate_accounts(session, email=user.email, phone=user.phone)
        return {
            "conversation": view_json(view),
            "history": _history(self.ctx, key),
            "account_choices": choices,
            "supervisor": access.supervisor,
        }

    def account(self, access: AgentAccess, body: _Body) -> dict[str, Any]:
        number = body.text("account_number", max_len=64)
        with self.ctx.container.database.transaction() as session:
            try:
                view = conversations.link_account(
                    session,
                    key=self.ctx.key_for(body.ticket_id),
                    surface=SURFACE,
                    account_number=number,
                    actor=access.actor,
                    now=self.ctx.now(),
                )
            except LookupError as exc:
                raise SidebarError(404, "no such account in the directory") from exc
        return {"conversation": view_json(view)}

    def pin(self, access: AgentAccess, body: _Body) -> dict[str, Any]:
        pin = body.text("pin", max_len=32)
        key = self.ctx.key_for(body.ticket_id)
        with self.ctx.container.database.transaction() as session:
            view = conversations.get_view(session, key)
        if view is None or view.account_number is None:
            raise SidebarError(409, "choose the customer's account first")
        result = pin_gate.submit_pin(
            self.ctx.container.database,
            self.ctx.vault(),
            key=key,
            account_number=view.account_number,
            pin=pin,
            actor=access.actor,
            method="agent",
            ttl_minutes=self.ctx.ttl_minutes,
            now=self.ctx.now(),
        )
        return {**_outcome_json(result.outcome), "conversation": view_json(result.view)}

    def link(self, access: AgentAccess, body: _Body) -> dict[str, Any]:
        key = self.ctx.key_for(body.ticket_id)
        now = self.ctx.now()
        with self.ctx.container.database.transaction() as session:
            view = conversations.get_view(session, key)
            if view is None or view.account_number is None:
                raise SidebarError(409, "choose the customer's account first")
            stamp = int(now.timestamp())
            enqueue_effect(
                session,
                key=f"{key}:prompt:agent:{access.agent_id}:{stamp}",
                kind="zendesk.customer_prompt",
                payload={"key": key, "mode": "link", "actor": access.actor},
                now=now,
            )
        self.ctx.container.wake_workers()
        return {"queued": True}

    def lock(self, access: AgentAccess, body: _Body) -> dict[str, Any]:
        """Any agent on the ticket locks it by hand when the detector missed CPNI.

        The core audits it (``conversation_locked``, outcome ``manual``) and queues the note.
        """
        with self.ctx.container.database.transaction() as session:
            conversations.lock(
                session,
                key=self.ctx.key_for(body.ticket_id),
                surface=SURFACE,
                actor=access.actor,
                now=self.ctx.now(),
            )
        self.ctx.container.wake_workers()
        return self.state(access, body)

    def override(self, access: AgentAccess, body: _Body) -> dict[str, Any]:
        if not access.supervisor:
            raise SidebarError(403, "only supervisors may override the lock")
        reason = body.text("reason", max_len=500)
        if len(reason) < 5:
            raise SidebarError(400, "give a reason (at least 5 characters)")
        from datetime import timedelta  # noqa: PLC0415

        with self.ctx.container.database.transaction() as session:
            try:
                view = conversations.override(
                    session,
                    key=self.ctx.key_for(body.ticket_id),
                    actor=access.actor,
                    reason=reason,
                    now=self.ctx.now(),
                    ttl=timedelta(minutes=self.ctx.ttl_minutes),
                )
            except (LookupError, IllegalTransitionError) as exc:
                raise SidebarError(409, "this ticket has no lock to override") from exc
        return {"conversation": view_json(view)}


def router(container: Container) -> APIRouter:
    """The sidebar API for ``container``."""
    api = APIRouter(prefix="/zendesk/sidebar")
    ctx = ZendeskContext(container)
    actions = _Actions(ctx)

    def run(name: str, authorization: str | None, raw: bytes) -> dict[str, Any]:
        token = claims(ctx, authorization)
        body = _Body(raw)
        access = authorize(ctx, str(token["sub"]), body.ticket_id)
        result: dict[str, Any] = getattr(actions, name)(access, body)
        return result

    async def handle(name: str, request: Request) -> Response:
        raw = await request.body()
        try:
            result = await run_in_threadpool(run, name, request.headers.get("Authorization"), raw)
        except SidebarError as exc:
            return JSONResponse({"error": str(exc)}, status_code=exc.status)
        except CpniBotError:
            return JSONResponse(
                {"error": "Zendesk or the vault is unavailable; try again"}, status_code=503
            )
        response = JSONResponse(result)
        response.headers["Cache-Control"] = "no-store"
        return response

    for name in ("state", "account", "pin", "link", "lock", "override"):
        api.add_api_route(
            f"/{name}", _endpoint(handle, name), methods=["POST"], include_in_schema=False
        )
    return api


def _endpoint(handle: Any, name: str) -> Any:
    async def endpoint(request: Request) -> Response:
        return await handle(name, request)  # type: ignore[no-any-return]

    endpoint.__name__ = f"sidebar_{name}"
    return endpoint
