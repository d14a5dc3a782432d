"""``POST /api/account-events``: account changes from the billing or CRM system (R4, R20).

The request is signed like Zendesk's webhooks, with its own secret
(``CPNI_ACCOUNT_EVENTS_SECRET``): ``X-Cpni-Signature`` is
``base64(HMAC-SHA256(secret, X-Cpni-Signature-Timestamp + raw body))`` and the timestamp must
be within 5 minutes of now. The signature is checked on the raw body before anything is parsed;
a missing, bad or stale signature gets 401 and nothing is stored. A payload with problems gets
422 listing every one (never echoing the values) and changes nothing. An accepted event records
its notice in one transaction (202); the same ``event_id`` again returns the first outcome
(200) and queues nothing, and a different event under a used id gets 409.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot.container import Container
from bot.domain.notifications import CONTACT_CHANGES, AccountChange, ChangeAction, ChangeKind
from bot.security.tokens import SignatureCheck, check_signature
from bot.services.notices import NoticeDecision, channels_from_settings, record_change
from bot.storage.notices import Notice

__all__ = ["AccountEventIn", "AccountEventOut", "router"]

SIGNATURE_HEADER = "X-Cpni-Signature"
TIMESTAMP_HEADER = "X-Cpni-Signature-Timestamp"
_FUTURE_TOLERANCE = timedelta(minutes=5)
_NEW_FIELDS = {
    ChangeKind.EMAIL_ADDRESS: "new_email",
    ChangeKind.PHONE_NUMBER_OF_RECORD: "new_phone",
    ChangeKind.POSTAL_ADDRESS: "new_postal_address",
}


class PostalAddressIn(BaseModel):
    """A postal address (used only to recognise it among the account's contacts)."""

    model_config = ConfigDict(extra="forbid")

    line1: str = Field(min_length=1, max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    region: str | None = Field(default=None, max_length=100)
    postal_code: str = Field(min_length=1, max_length=20)
    country: str = Field(default="US", pattern=r"^[A-Z]{2}$")

    def flat(self) -> str:
        """The address on one line."""
        parts = (self.line1, self.line2, self.city, self.region, self.postal_code, self.country)
        return ", ".join(p for p in parts if p)


_EXAMPLES: list[dict[str, Any]] = [
    {
        "event_id": "crm-2026-000123",
        "account_number": "100234",
        "kind": "password",
        "action": "changed",
        "occurred_at": "2026-03-02T14:59:00Z",
        "actor": "crm:agent-17",
    },
    {
        "event_id": "crm-2026-000124",
        "account_number": "100234",
        "kind": "email_address",
        "occurred_at": "2026-03-02T15:01:00Z",
        "actor": "customer",
        "new_email": "new.address@example.net",
    },
]


class AccountEventIn(BaseModel):
    """An account change reported by the billing or CRM system.

    ``new_email``, ``new_phone`` or ``new_postal_address`` (matching ``kind``) is optional; it
    is used only to make sure the notice never goes to the new value (R24). It is not stored.
    """

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": _EXAMPLES})

    event_id: str = Field(min_length=1, max_length=128, pattern=r"^[!-~]+$")
    account_number: str = Field(min_length=1, max_length=64)
    kind: ChangeKind
    action: ChangeAction = ChangeAction.CHANGED
    occurred_at: AwareDatetime
    actor: str = Field(default="billing", min_length=1, max_length=128)
    activation_flow: bool = Field(
        default=False, description="The change is part of service initiation (R21): no notice."
    )
    locale: str = Field(default="en", pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
    new_email: str | None = Field(default=None, max_length=320)
    new_phone: str | None = Field(default=None, max_length=32)
    new_postal_address: PostalAddressIn | None = None

    @model_validator(mode="after")
    def _new_value_fits_kind(self) -> AccountEventIn:
        problems = []
        expected = _NEW_FIELDS.get(self.kind)
        for name in _NEW_FIELDS.values():
            if getattr(self, name) is not None and name != expected:
                problems.append(f"{name} does not go with kind {self.kind}")
        if self.new_email is not None and expected == "new_email":
            try:
                validate_email(self.new_email, check_deliverability=False)
            except EmailNotValidError:
                problems.append("new_email is not a valid email address")
        if self.new_phone is not None and expected == "new_phone" and not _is_phone(self.new_phone):
            problems.append("new_phone is not a valid telephone number")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def new_value(self) -> str | None:
        """The new contact value as one string, if given."""
        if self.new_postal_address is not None:
            return self.new_postal_address.flat()
        return self.new_email or self.new_phone


def _is_phone(value: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(value, "US"))
    except phonenumbers.NumberParseException:
        return False


class AccountEventOut(BaseModel):
    """What became of the event's notice."""

    notice_id: int
    state: str = Field(description="queued, skipped, pending_staff (or later: sent, failed)")
    channel: str | None
    reason: str | None
    sent_to_prior_contact: bool
    duplicate: bool


_SIGNATURE_PARAMETERS = [
    {
        "name": SIGNATURE_HEADER,
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": "base64 HMAC-SHA256 (CPNI_ACCOUNT_EVENTS_SECRET) of timestamp + raw body",
    },
    {
        "name": TIMESTAMP_HEADER,
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": "ISO 8601 or Unix seconds; refused if more than 5 minutes from now",
    },
]


def _inline_schema() -> dict[str, Any]:
    """The request schema with its ``$defs`` inlined, so it stands alone in OpenAPI."""
    schema = AccountEventIn.model_json_schema()
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return inline(defs[ref.removeprefix("#/$defs/")])
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    result: dict[str, Any] = inline(schema)
    return result


def _problems(exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]}
        for e in exc.errors(include_input=False, include_url=False, include_context=False)
    ]


def _record(container: Container, change: AccountChange) -> tuple[NoticeDecision, bool]:
    settings = container.config.settings
    with container.database.transaction() as session:
        decision = record_change(
            session,
            change,
            policy=container.config.policy,
            now=container.clock(),
            channels=channels_from_settings(settings),
        )
        notice = session.get(Notice, decision.notice_id)
        same = notice is not None and (notice.kind, notice.account_number) == (
            change.kind,
            change.account_number,
        )
    return decision, same


def router(container: Container) -> APIRouter:
    """The account-events API."""
    api = APIRouter(tags=["account events"])

    @api.post(
        "/api/account-events",
        status_code=202,
        response_model=AccountEventOut,
        summary="Report an account change so the customer is notified (47 CFR 64.2010(f))",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": _inline_schema(),
                        "examples": {
                            f"example{i}": {"value": v} for i, v in enumerate(_EXAMPLES, 1)
                        },
                    }
                },
            },
            "parameters": _SIGNATURE_PARAMETERS,
        },
        responses={
            200: {"description": "the same event_id again: the first outcome, nothing queued"},
            401: {"description": "missing, bad or stale signature; nothing stored"},
            409: {"description": "event_id already used for a different event"},
            422: {"description": "every problem with the payload; nothing stored"},
            503: {"description": "CPNI_ACCOUNT_EVENTS_SECRET is not set"},
        },
    )
    async def account_event(request: Request) -> JSONResponse:
        secret = container.config.settings.account_events_secret
        if secret is None:
            return JSONResponse({"detail": "account events are not configured"}, status_code=503)
        body = await request.body()
        verdict = check_signature(
            secret.get_secret_value(),
            signature=request.headers.get(SIGNATURE_HEADER),
            timestamp=request.headers.get(TIMESTAMP_HEADER),
            body=body,
            now=container.clock(),
        )
        if verdict is not SignatureCheck.VALID:
            return JSONResponse({"detail": f"signature {verdict}"}, status_code=401)
        try:
            event = AccountEventIn.model_validate_json(body)
        except ValidationError as exc:
            return JSONResponse({"detail": _problems(exc)}, status_code=422)
        if event.occurred_at > container.clock() + _FUTURE_TOLERANCE:
            problem = {"loc": ["occurred_at"], "msg": "is in the future", "type": "future"}
            return JSONResponse({"detail": [problem]}, status_code=422)
        change = AccountChange(
            kind=event.kind,
            account_number=event.account_number,
            occurred_at=event.occurred_at,
            source="api",
            event_id=event.event_id,
            actor=event.actor,
            action=event.action,
            activation_flow=event.activation_flow,
            locale=event.locale,
            new_value=event.new_value() if event.kind in CONTACT_CHANGES else None,
        )
        decision, same = await asyncio.to_thread(_record, container, change)
        if decision.duplicate and not same:
            detail = "event_id already used for a different event"
            return JSONResponse({"detail": detail}, status_code=409)
        if not decision.duplicate:
            container.wake_workers()
        out = AccountEventOut(
            notice_id=decision.notice_id,
            state=decision.state,
            channel=decision.channel,
            reason=decision.reason,
            sent_to_prior_contact=decision.sent_to_prior_contact,
            duplicate=decision.duplicate,
        )
        return JSONResponse(out.model_dump(mode="json"), status_code=200 if out.duplicate else 202)

    return api
