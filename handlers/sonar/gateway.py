"""The Sonar gateway: GraphQL JSON in, domain snapshots out (implements ``SonarSource``)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from bot.domain.sonar import SonarAccount, SonarAddress, SonarContact
from bot.services.sonar_sync import AccountPage
from handlers.sonar import queries as q
from handlers.sonar.client import SonarClient

__all__ = ["SonarGateway", "to_account"]

_OWNER_QUERIES = {
    "contact": (q.CONTACT_OWNER, "contacts"),
    "phone_number": (q.PHONE_NUMBER_OWNER, "phone_numbers"),
    "address": (q.ADDRESS_OWNER, "addresses"),
}


def _entities(connection: Any) -> list[dict[str, Any]]:
    return list((connection or {}).get("entities") or [])


def to_account(raw: dict[str, Any]) -> SonarAccount:
    """A :class:`SonarAccount` from an ``AccountFields`` entity."""
    contacts = tuple(
        SonarContact(
            id=str(c["id"]),
            name=c.get("name") or "",
            email=c.get("email_address"),
            username=c.get("username"),
            phones=tuple(str(p["number"]) for p in _entities(c.get("phone_numbers"))),
            primary=bool(c.get("primary")),
        )
        for c in _entities(raw.get("contacts"))
    )
    addresses = tuple(
        SonarAddress(
            type=a.get("type") or "",
            line1=a.get("line1"),
            line2=a.get("line2"),
            city=a.get("city"),
            subdivision=a.get("subdivision"),
            zip=a.get("zip"),
            country=a.get("country"),
        )
        for a in _entities(raw.get("addresses"))
    )
    status = raw.get("account_status") or {}
    updated = raw.get("updated_at")
    return SonarAccount(
        id=str(raw["id"]),
        name=raw.get("name") or "",
        version=str(raw.get("_version") or ""),
        updated_at=datetime.fromisoformat(updated) if updated else None,
        active=bool(status.get("activates_account")),
        archived=raw.get("archived_at") is not None,
        status_name=status.get("name") or "",
        contacts=contacts,
        addresses=addresses,
    )


def _search(since: datetime | None, after_id: str | None) -> list[dict[str, Any]]:
    """Accounts after ``after_id`` whose row, contacts, phones or addresses changed since."""
    ids = [{"attribute": "id", "search_value": after_id or "0", "operator": "GT"}]
    if since is None:
        return [{"integer_fields": ids}]
    when = [{"attribute": "updated_at", "search_value": since.isoformat(), "operator": "GTE"}]
    related = [
        {"relation": rel, "search": [{"datetime_fields": when}]}
        for rel in ("contacts", "addresses", "contacts.phone_numbers")
    ]
    own = {"integer_fields": ids, "datetime_fields": when}
    return [own] + [{"integer_fields": ids, "reverse_relation_filters": [r]} for r in related]


class SonarGateway:
    """Reads and writes what cpni-guard needs in Sonar through :class:`SonarClient`."""

    def __init__(self, client: SonarClient, *, page_size: int = 100) -> None:
        self.client = client
        self.page_size = page_size

    def account_pages(
        self, *, since: datetime | None, after_id: str | None, page_size: int
    ) -> Iterator[AccountPage]:
        """Pages of accounts by ascending id (keyset on id, so a resumed run skips none)."""
        while True:
            data = self.client.execute(
                q.SYNC_ACCOUNTS,
                {
                    "paginator": {"page": 1, "records_per_page": page_size},
                    "search": _search(since, after_id),
                },
            )
            connection = data["accounts"]
            accounts = [to_account(e) for e in _entities(connection)]
            yield AccountPage(accounts, int(connection["page_info"]["total_count"]))
            if not accounts or connection["page_info"]["total_pages"] <= 1:
                return
            after_id = accounts[-1].id

    def fetch_account(self, account_id: str) -> SonarAccount | None:
        """One account re-read from Sonar, or ``None``."""
        found = _entities(self.client.execute(q.ONE_ACCOUNT, {"id": account_id})["accounts"])
        return to_account(found[0]) if found else None

    def owning_accounts(self, model: str, object_id: str) -> list[str]:
        """The account ids a contact, phone number or address belongs to (re-read)."""
        if model == "account":
            return [object_id]
        if model not in _OWNER_QUERIES:
            return []
        document, root = _OWNER_QUERIES[model]
        rows = _entities(self.client.execute(document, {"id": object_id})[root])
        owners = []
        for row in rows:
            holder = row.get("contact") or row
            kind = holder.get("contactable_type") or holder.get("addressable_type")
            owner = holder.get("contactable_id") or holder.get("addressable_id")
            if kind == "Account" and owner is not None:
                owners.append(str(owner))
        return owners

    def password_change(self, contact_ids: Sequence[str], *, since: datetime) -> str | None:
        """The id of a contact log since ``since`` whose change names a password, if any."""
        when = [{"attribute": "created_at", "search_value": since.isoformat(), "operator": "GTE"}]
        for contact_id in contact_ids:
            logs = self.client.paginate(
                q.CONTACT_LOGS,
                {"id": contact_id, "search": [{"datetime_fields": when}]},
                path="logs",
                page_size=self.page_size,
            )
            for log in logs:
                if _names_password(log.get("current")) or _names_password(log.get("previous")):
                    return str(log["id"])
        return None

    def change_log(self, *, since: datetime, after_id: str | None) -> list[tuple[str, str, str]]:
        """``(log id, model, object id)`` of contact, phone and address logs, oldest first."""
        search = {
            "datetime_fields": [
                {"attribute": "created_at", "search_value": since.isoformat(), "operator": "GTE"}
            ],
            "integer_fields": [
                {"attribute": "id", "search_value": after_id or "0", "operator": "GT"}
            ],
        }
        rows = self.client.paginate(
            q.CHANGE_LOGS, {"search": [search]}, path="logs", page_size=self.page_size
        )
        models = {"Contact": "contact", "PhoneNumber": "phone_number", "Address": "address"}
        return [
            (str(r["id"]), models[r["loggable_type"]], str(r["loggable_id"]))
            for r in rows
            if r.get("loggable_type") in models
        ]

    def trigger_states(self) -> dict[str, bool]:
        """``MessageTrigger`` -> enabled (any enabled message for a trigger counts)."""
        states: dict[str, bool] = {}
        for row in self.client.paginate(
            q.TRIGGERED_MESSAGES, {}, path="triggered_messages", page_size=self.page_size
        ):
            states[row["trigger"]] = states.get(row["trigger"], False) or bool(row["enabled"])
        return states

    def permissions(self, username: str) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        """The portal API user (``None`` if not visible) and the token's own user."""
        data = self.client.execute(q.PERMISSIONS, {"username": username})
        users = _entities(data.get("users"))
        return (users[0] if users else None), data.get("me") or {}

    def custom_field(self, name: str) -> dict[str, Any] | None:
        """The custom field called ``name``, if it exists."""
        rows = _entities(self.client.execute(q.CUSTOM_FIELD, {"name": name})["custom_fields"])
        exact = [r for r in rows if r.get("name") == name]
        return exact[0] if exact else None

    def custom_values(self, field_id: str) -> Iterator[tuple[str, str]]:
        """``(account id, value)`` for every account holding the custom field."""
        for row in self.client.paginate(
            q.CUSTOM_FIELD_DATA,
            {"field": field_id},
            path="custom_field_data",
            page_size=self.page_size,
        ):
            yield str(row["customfielddataable_id"]), str(row.get("value") or "")

    def clear_custom_field(self, account_id: str, field_id: str) -> None:
        """Remove the custom field's value from one account."""
        self.client.execute(
            q.UNSET_CUSTOM_FIELD,
            {"id": account_id, "input": {"unset_custom_field_data": [field_id]}},
        )

    def write_note(self, account_id: str, message: str, *, priority: str, marker: str) -> str:
        """Post a note, or update the bot's earlier note carrying ``marker`` (no pile-up)."""
        existing = self.client.paginate(
            q.ACCOUNT_NOTES,
            {"id": account_id, "priority": priority},
            path="notes",
            page_size=self.page_size,
        )
        for note in existing:
            if marker in (note.get("message") or ""):
                self.client.execute(
                    q.UPDATE_NOTE, {"id": note["id"], "input": {"message": message}}
                )
                return str(note["id"])
        created = self.client.execute(
            q.CREATE_NOTE,
            {
                "input": {
                    "noteable_type": "Account",
                    "noteable_id": account_id,
                    "priority": priority,
                    "message": message,
                }
            },
        )
        return str(created["createNote"]["id"])


def _names_password(text: Any) -> bool:
    if not text:
        return False
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return "password" in str(text).lower()
    return isinstance(value, dict) and any("password" in str(k).lower() for k in value)
