"""Who is calling the sidebar API: the ZAF app JWT and the agent's right to act on a ticket.

The token is an HS256 JWT that the Zendesk proxy signs with the app's secure setting
(``CPNI_ZENDESK_APP_SECRET``, platform-notes B3). The agent's rights are asked of Zendesk itself
(role, ticket restriction, groups), never taken from the client.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jwt

from handlers.zendesk.context import ZendeskContext

__all__ = ["AgentAccess", "SidebarError", "authorize", "claims"]


class SidebarError(Exception):
    """An expected refusal: status and a message safe to show the agent."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class AgentAccess:
    """The authenticated agent and what Zendesk says they may do."""

    agent_id: str
    supervisor: bool

    @property
    def actor(self) -> str:
        """The agent as audit records name them."""
        return f"zendesk-agent:{self.agent_id}"


def claims(ctx: ZendeskContext, header: str | None) -> dict[str, Any]:
    """The verified claims of the ``Authorization`` header, or a 401/503 SidebarError."""
    secret = ctx.settings.zendesk_app_secret
    if secret is None:
        raise SidebarError(503, "the sidebar app secret is not configured")
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise SidebarError(401, "missing app token")
    try:
        claims: dict[str, Any] = jwt.decode(
            token.strip(),
            secret.get_secret_value(),
            algorithms=["HS256"],
            audience=ctx.settings.public_url.rstrip("/"),
            issuer=f"https://{ctx.subdomain}.zendesk.com",
            options={"require": ["exp", "iss", "aud", "sub"]},
            leeway=30,
        )
    except jwt.PyJWTError as exc:
        raise SidebarError(401, "invalid app token") from exc
    if not str(claims.get("sub", "")).isdigit():
        raise SidebarError(401, "invalid app token")
    return claims


def authorize(ctx: ZendeskContext, agent_id: str, ticket_id: str) -> AgentAccess:
    """What Zendesk lets ``agent_id`` do on ``ticket_id``, or a 403 SidebarError."""
    gateway = ctx.gateway()
    user = gateway.user(agent_id)
    if user is None or not user.active or user.role not in ("agent", "admin"):
        raise SidebarError(403, "only active agents may use this app")
    ticket = gateway.ticket(ticket_id)
    restriction = user.ticket_restriction
    groups: set[str] | None = None
    if restriction == "groups":
        groups = gateway.group_ids(agent_id)
        allowed = ticket.group_id is not None and ticket.group_id in groups
    elif restriction == "assigned":
        allowed = ticket.assignee_id == agent_id
    else:
        allowed = restriction is None or user.role == "admin"
    if not allowed:
        raise SidebarError(403, "you may not act on this ticket")
    supervisor_group = ctx.settings.zendesk_supervisor_group
    supervisor = user.role == "admin"
    if not supervisor and supervisor_group is not None:
        groups = groups if groups is not None else gateway.group_ids(agent_id)
        supervisor = str(supervisor_group) in groups
    return AgentAccess(agent_id=agent_id, supervisor=supervisor)
