"""A local fake Sonar GraphQL API over real HTTP that *executes* queries (graphql-core).

The compact schema below mirrors, field for field, the parts of Sonar's 2025-05 schema that
cpni-guard uses (the contract test checks every operation against the full schema too). Data
lives in plain dicts; every connection field is resolved generically with Sonar's semantics:
scalar-argument filters, ``search`` (criteria AND-ed inside one Search, Search objects OR-ed),
``reverse_relation_filters`` with dotted relations, ``sorter`` and 1-based ``paginator`` with
``page_info``. The server checks the bearer token, records every request, and can be told to
answer 429/500 or Sonar's rate-limit body first.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

from graphql import GraphQLObjectType, build_schema, get_named_type, graphql_sync

SDL = """
scalar Int64Bit
scalar Datetime
scalar EmailAddress
scalar Numeric
scalar Text
enum SortDirection { ASC DESC }
enum RangeOperator { GTE GT LTE LT EQ NEQ }
enum AddressType { PHYSICAL MAILING }
enum Country { US CA }
enum Subdivision { US_CA US_NY US_TX US_WA US_OR }
enum ContactableType { Account NetworkSite Vendor }
enum AddressableType { Account InventoryLocation BankAccount CreditCard NetworkSite }
enum CustomfielddataableType { Account Address Contact }
enum CustomFieldType { BOOLEAN DATE TEXT }
enum NoteableType { Account Contact }
enum NotePriority { NORMAL STICKY STICKY_WITH_CONFIRMATION }
enum LogType { CREATED UPDATED DELETED ATTACHED DETACHED SYSTEM OTHER }
enum MessageTrigger { CONTACT_PASSWORD_CHANGED ACCOUNT_ADDRESS_CHANGED PAYMENT_SUCCESS }
enum Permission { READ_ACCOUNT CREATE_NOTE UPDATE_NOTE UPDATE_CONTACT READ_TRIGGERED_EMAIL
                  READ_CUSTOM_FIELD UPDATE_ACCOUNT }

input Paginator { page: Int! records_per_page: Int! }
input Sorter { attribute: String! direction: SortDirection! }
input SearchStringField { attribute: String! search_value: String! match: Boolean!
                          partial_matching: Boolean = true }
input SearchIntegerField { attribute: String! search_value: Int64Bit! operator: RangeOperator! }
input SearchDatetimeField { attribute: String! search_value: Datetime! operator: RangeOperator! }
input Search { string_fields: [SearchStringField] integer_fields: [SearchIntegerField]
               datetime_fields: [SearchDatetimeField]
               reverse_relation_filters: [ReverseRelationFilter] }
input ReverseRelationFilter { relation: String! search: [Search] is_empty: Boolean = false
                              group: String = "1" }
input CreateNoteMutationInput { message: Text! noteable_id: Int64Bit! noteable_type: NoteableType!
                                priority: NotePriority! }
input UpdateNoteMutationInput { message: Text priority: NotePriority }
input CustomFieldDataMutationInput { custom_field_id: Int64Bit! value: String! }
input UpdateEntityCustomFieldsMutationInput { custom_field_data: [CustomFieldDataMutationInput]
                                             unset_custom_field_data: [Int64Bit] }

type PageInfo { page: Int! records_per_page: Int! total_pages: Int! total_count: Int! }

type AccountStatus { id: Int64Bit! name: String! activates_account: Boolean! }
type Account {
  id: Int64Bit! name: String! _version: String! updated_at: Datetime! archived_at: Datetime
  account_status_id: Int64Bit!
  account_status: AccountStatus
  contacts(paginator: Paginator, search: [Search]): ContactConnection!
  addresses(paginator: Paginator, search: [Search]): AddressConnection!
  custom_field_data(paginator: Paginator, custom_field_id: Int64Bit): CustomFieldDataConnection!
}
type AccountConnection { entities: [Account]! page_info: PageInfo! }
type Contact {
  id: Int64Bit! name: String! primary: Boolean! email_address: EmailAddress username: String
  _version: String! updated_at: Datetime!
  contactable_type: ContactableType! contactable_id: Int64Bit!
  phone_numbers(paginator: Paginator, search: [Search]): PhoneNumberConnection!
}
type ContactConnection { entities: [Contact]! page_info: PageInfo! }
type PhoneNumber { id: Int64Bit! number: Numeric! country: Country! contact_id: Int64Bit!
                   updated_at: Datetime! contact: Contact }
type PhoneNumberConnection { entities: [PhoneNumber]! page_info: PageInfo! }
type Address { id: Int64Bit! type: AddressType! line1: String line2: String city: String
               subdivision: Subdivision zip: String country: Country updated_at: Datetime!
               addressable_type: AddressableType addressable_id: Int64Bit }
type AddressConnection { entities: [Address]! page_info: PageInfo! }
type Log { id: Int64Bit! type: LogType! loggable_type: String! loggable_id: Int64Bit!
           previous: Text current: Text! created_at: Datetime! }
type LogConnection { entities: [Log]! page_info: PageInfo! }
type TriggeredMessage { id: Int64Bit! name: String! enabled: Boolean! trigger: MessageTrigger! }
type TriggeredMessageConnection { entities: [TriggeredMessage]! page_info: PageInfo! }
type Role { id: Int64Bit! name: String! applied_permissions: [Permission]! }
type User { id: Int64Bit! username: String! enabled: Boolean! super_admin: Boolean! role: Role }
type UserConnection { entities: [User]! page_info: PageInfo! }
type Me { id: Int64Bit! username: String! super_admin: Boolean! role: Role }
type CustomField { id: Int64Bit! name: String! entity_type: CustomfielddataableType!
                   type: CustomFieldType! }
type CustomFieldConnection { entities: [CustomField]! page_info: PageInfo! }
type CustomFieldData { id: Int64Bit! custom_field_id: Int64Bit! customfielddataable_id: Int64Bit!
                       customfielddataable_type: CustomfielddataableType! value: String! }
type CustomFieldDataConnection { entities: [CustomFieldData]! page_info: PageInfo! }
type Note { id: Int64Bit! message: Text! priority: NotePriority! noteable_type: NoteableType!
            noteable_id: Int64Bit! }
type NoteConnection { entities: [Note]! page_info: PageInfo! }

type Query {
  accounts(id: Int64Bit, include_archived: Boolean, paginator: Paginator, sorter: [Sorter],
           search: [Search], reverse_relation_filters: [ReverseRelationFilter]): AccountConnection!
  contacts(id: Int64Bit, paginator: Paginator): ContactConnection!
  phone_numbers(id: Int64Bit, paginator: Paginator): PhoneNumberConnection!
  addresses(id: Int64Bit, paginator: Paginator): AddressConnection!
  logs(loggable_type: String, loggable_id: Int64Bit, paginator: Paginator, sorter: [Sorter],
       search: [Search]): LogConnection!
  triggered_messages(paginator: Paginator): TriggeredMessageConnection!
  users(username: String, paginator: Paginator): UserConnection!
  me: Me!
  custom_fields(name: String, paginator: Paginator): CustomFieldConnection!
  custom_field_data(custom_field_id: Int64Bit, customfielddataable_type: CustomfielddataableType,
                    paginator: Paginator, sorter: [Sorter]): CustomFieldDataConnection!
  notes(noteable_type: NoteableType, noteable_id: Int64Bit, priority: NotePriority,
        paginator: Paginator): NoteConnection!
}
type Mutation {
  createNote(input: CreateNoteMutationInput): Note
  updateNote(id: Int64Bit!, input: UpdateNoteMutationInput): Note
  updateEntityCustomFields(customfielddataable_type: CustomfielddataableType!,
                           customfielddataable_id: Int64Bit!,
                           input: UpdateEntityCustomFieldsMutationInput): [CustomFieldData]
}
"""

_CONTROL_ARGS = {"paginator", "sorter", "search", "include_archived", "reverse_relation_filters"}
_DEFAULT_PAGE_SIZE = 25


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _compare(left: Any, right: Any, operator: str) -> bool:
    ops: dict[str, Callable[[Any, Any], bool]] = {
        "GTE": lambda a, b: a >= b,
        "GT": lambda a, b: a > b,
        "LTE": lambda a, b: a <= b,
        "LT": lambda a, b: a < b,
        "EQ": lambda a, b: a == b,
        "NEQ": lambda a, b: a != b,
    }
    return ops[operator](left, right)


class FakeSonarData:
    """The fake's tables (dicts keyed by string id) and helpers that change them like Sonar."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self.ids = itertools.count(1000)
        self.tables: dict[str, dict[str, dict[str, Any]]] = {
            name: {}
            for name in (
                "accounts",
                "account_statuses",
                "contacts",
                "phone_numbers",
                "addresses",
                "logs",
                "triggered_messages",
                "users",
                "roles",
                "custom_fields",
                "custom_field_data",
                "notes",
            )
        }
        self.me: dict[str, Any] = {"id": "1", "username": "cpni-guard", "super_admin": False}
        self.tables["account_statuses"]["1"] = {
            "id": "1",
            "name": "Active",
            "activates_account": True,
        }
        self.tables["account_statuses"]["2"] = {
            "id": "2",
            "name": "Inactive",
            "activates_account": False,
        }

    def next_id(self) -> str:
        return str(next(self.ids))

    def _stamp(self, row: dict[str, Any]) -> None:
        row["updated_at"] = _iso(self.clock())
        row["_version"] = str(int(row.get("_version", "0")) + 1)

    def _log(self, kind: str, model: str, row_id: str, previous: Any, current: Any) -> None:
        log_id = self.next_id()
        self.tables["logs"][log_id] = {
            "id": log_id,
            "type": kind,
            "loggable_type": model,
            "loggable_id": row_id,
            "previous": json.dumps(previous) if previous is not None else None,
            "current": json.dumps(current),
            "created_at": _iso(self.clock()),
        }

    def add_account(
        self,
        name: str,
        *,
        account_id: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        username: str | None = None,
        address: dict[str, Any] | None = None,
        status_id: str = "1",
    ) -> str:
        """Add an account with one primary contact (and optional phone and address)."""
        aid = account_id or self.next_id()
        account = {"id": aid, "name": name, "account_status_id": status_id, "archived_at": None}
        self._stamp(account)
        self.tables["accounts"][aid] = account
        cid = self.next_id()
        contact = {
            "id": cid,
            "name": name,
            "primary": True,
            "email_address": email,
            "username": username,
            "contactable_type": "Account",
            "contactable_id": aid,
        }
        self._stamp(contact)
        self.tables["contacts"][cid] = contact
        if phone:
            self.add_phone(cid, phone)
        if address:
            self.add_address(aid, **address)
        return aid

    def add_phone(self, contact_id: str, number: str) -> str:
        pid = self.next_id()
        row = {"id": pid, "number": number, "country": "US", "contact_id": contact_id}
        self._stamp(row)
        self.tables["phone_numbers"][pid] = row
        self._log("CREATED", "PhoneNumber", pid, None, {"number": "[set]"})
        return pid

    def add_address(self, account_id: str, **fields: Any) -> str:
        aid = self.next_id()
        row = {
            "id": aid,
            "type": "PHYSICAL",
            "line2": None,
            "country": "US",
            "addressable_type": "Account",
            "addressable_id": account_id,
            **fields,
        }
        self._stamp(row)
        self.tables["addresses"][aid] = row
        return aid

    def primary_contact(self, account_id: str) -> dict[str, Any]:
        return next(
            c
            for c in self.tables["contacts"].values()
            if c["contactable_id"] == account_id and c["primary"]
        )

    def update_contact(self, contact_id: str, **changes: Any) -> None:
        """Change a contact as Sonar would: bump ``_version``, stamp, and write a log row."""
        row = self.tables["contacts"][contact_id]
        previous = {k: row.get(k) for k in changes if k != "password"}
        for key, value in changes.items():
            if key != "password":  # Sonar never lets anyone read a password back
                row[key] = value
        self._stamp(row)
        masked = {k: ("[changed]" if k == "password" else v) for k, v in changes.items()}
        self._log("UPDATED", "Contact", contact_id, previous, masked)

    def set_custom_field(self, account_id: str, field_id: str, value: str) -> None:
        did = self.next_id()
        self.tables["custom_field_data"][did] = {
            "id": did,
            "custom_field_id": field_id,
            "customfielddataable_id": account_id,
            "customfielddataable_type": "Account",
            "value": value,
        }

    def custom_values(self, field_id: str) -> dict[str, str]:
        return {
            d["customfielddataable_id"]: d["value"]
            for d in self.tables["custom_field_data"].values()
            if d["custom_field_id"] == field_id
        }


class FakeSonar:
    """The HTTP server. Use as a context manager; ``url`` is its base URL."""

    def __init__(self, *, token: str = "test-sonar-token", clock: Callable[[], datetime]) -> None:
        self.token = token
        self.data = FakeSonarData(clock)
        self.schema = build_schema(SDL)
        self._wire(self.schema)
        self.requests: list[dict[str, Any]] = []
        self.fail_next: list[int | str | None] = []  # HTTP status, "ratelimit" or None (ok)
        self.lock = threading.Lock()
        self._index: dict[tuple[str, str], dict[str, list[dict[str, Any]]]] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeSonar:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def operations(self) -> list[str]:
        """The operation names received, in order."""
        return [r["operation"] for r in self.requests]

    # -- HTTP ------------------------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                status, answer = fake.answer(self.path, self.headers.get("Authorization"), body)
                raw = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        return Handler

    def answer(self, path: str, auth: str | None, body: dict[str, Any]) -> tuple[int, Any]:
        """Execute one request; returns (HTTP status, JSON body)."""
        if path != "/api/graphql":
            return 404, {"error": "not found"}
        if auth != f"Bearer {self.token}":
            return 401, {"error": "Unauthenticated."}
        query, variables = body.get("query", ""), body.get("variables") or {}
        name = query.split("(")[0].split("{")[0].split()[-1] if query.split() else ""
        with self.lock:
            self.requests.append({"operation": name, "query": query, "variables": variables})
            failure = self.fail_next.pop(0) if self.fail_next else None
            if failure == "ratelimit":
                return 200, {"error": "Request limit of 400/min reached."}
            if isinstance(failure, int):
                return failure, {"error": "simulated failure"}
            self._index = self._build_index()
            result = graphql_sync(self.schema, query, variable_values=variables)
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [{"message": e.message} for e in result.errors]
        return 200, payload

    # -- resolvers ---------------------------------------------------------------------------
    def _wire(self, schema: Any) -> None:
        for type_ in schema.type_map.values():
            if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
                continue
            for name, field in type_.fields.items():
                target = get_named_type(field.type).name
                if target.endswith("Connection"):
                    field.resolve = self._connection(type_.name, name)
        query, mutation = schema.query_type.fields, schema.mutation_type.fields
        query["me"].resolve = lambda *_: {
            **self.data.me,
            "role": self.data.tables["roles"].get("bot"),
        }
        schema.type_map["Account"].fields["account_status"].resolve = lambda a, _i: (
            self.data.tables["account_statuses"][a["account_status_id"]]
        )
        schema.type_map["PhoneNumber"].fields["contact"].resolve = lambda p, _i: self.data.tables[
            "contacts"
        ].get(p["contact_id"])
        schema.type_map["User"].fields["role"].resolve = lambda u, _i: self.data.tables[
            "roles"
        ].get(u.get("role_id"))
        mutation["createNote"].resolve = self._create_note
        mutation["updateNote"].resolve = self._update_note
        mutation["updateEntityCustomFields"].resolve = self._update_custom_fields

    _LINKS: ClassVar[dict[tuple[str, str], tuple[str, str]]] = {
        ("Account", "contacts"): ("contacts", "contactable_id"),
        ("Account", "addresses"): ("addresses", "addressable_id"),
        ("Account", "custom_field_data"): ("custom_field_data", "customfielddataable_id"),
        ("Contact", "phone_numbers"): ("phone_numbers", "contact_id"),
    }

    def _build_index(self) -> dict[tuple[str, str], dict[str, list[dict[str, Any]]]]:
        """Owner id -> rows for each relation, rebuilt per request (the tables may change)."""
        index: dict[tuple[str, str], dict[str, list[dict[str, Any]]]] = {}
        for link, (table, key) in self._LINKS.items():
            rows: dict[str, list[dict[str, Any]]] = {}
            for row in self.data.tables[table].values():
                rows.setdefault(str(row[key]), []).append(row)
            index[link] = rows
        return index

    def _related(self, parent_type: str, field: str, parent: Any) -> list[dict[str, Any]]:
        if parent_type == "Query":
            return list(self.data.tables[field].values())
        return list(self._index[(parent_type, field)].get(str(parent["id"]), []))

    def _path(self, entity: dict[str, Any], relation: str, type_: str) -> list[dict[str, Any]]:
        rows, kind = [entity], type_
        for part in relation.split("."):
            rows = [r for row in rows for r in self._related(kind, part, row)]
            kind = {
                "contacts": "Contact",
                "addresses": "Address",
                "phone_numbers": "PhoneNumber",
            }.get(part, part)
        return rows

    def _matches(self, entity: dict[str, Any], search: dict[str, Any], type_: str) -> bool:
        for c in search.get("integer_fields") or []:
            if not _compare(
                int(entity.get(c["attribute"]) or 0), int(c["search_value"]), c["operator"]
            ):
                return False
        for c in search.get("datetime_fields") or []:
            value = entity.get(c["attribute"])
            if value is None or not _compare(
                datetime.fromisoformat(value),
                datetime.fromisoformat(c["search_value"]),
                c["operator"],
            ):
                return False
        for c in search.get("string_fields") or []:
            value, wanted = str(entity.get(c["attribute"]) or ""), c["search_value"]
            hit = wanted in value if c.get("partial_matching", True) else wanted == value
            if hit != c["match"]:
                return False
        for rrf in search.get("reverse_relation_filters") or []:
            related = self._path(entity, rrf["relation"], type_)
            kind = get_named_type(self._relation_type(type_, rrf["relation"])).name
            if not any(
                any(self._matches(r, s, kind) for s in rrf.get("search") or [{}]) for r in related
            ):
                return False
        return True

    def _relation_type(self, type_: str, relation: str) -> Any:
        current = self.schema.type_map[type_]
        for part in relation.split("."):
            connection = get_named_type(current.fields[part].type)
            current = get_named_type(connection.fields["entities"].type)
        return current

    def _connection(self, parent_type: str, field: str) -> Callable[..., Any]:
        def resolve(parent: Any, info: Any, **args: Any) -> dict[str, Any]:
            node = get_named_type(info.return_type)
            entity_type = get_named_type(node.fields["entities"].type).name
            rows = self._related(parent_type, field, parent)
            rows = self._filter(rows, args, entity_type)
            return self._page(rows, args)

        return resolve

    def _filter(
        self, rows: list[dict[str, Any]], args: dict[str, Any], type_: str
    ) -> list[dict[str, Any]]:
        for key, value in args.items():
            if key not in _CONTROL_ARGS and value is not None:
                rows = [r for r in rows if str(r.get(key)) == str(value)]
        if type_ == "Account" and not args.get("include_archived"):
            rows = [r for r in rows if r.get("archived_at") is None]
        if args.get("search"):
            rows = [r for r in rows if any(self._matches(r, s, type_) for s in args["search"])]
        for rrf in args.get("reverse_relation_filters") or []:
            rows = [r for r in rows if self._matches(r, {"reverse_relation_filters": [rrf]}, type_)]
        for sorter in reversed(args.get("sorter") or []):
            attr = sorter["attribute"]
            rows.sort(
                key=lambda r: int(r[attr]) if attr.endswith("id") else str(r.get(attr)),
                reverse=sorter["direction"] == "DESC",
            )
        return rows

    @staticmethod
    def _page(rows: list[dict[str, Any]], args: dict[str, Any]) -> dict[str, Any]:
        paginator = args.get("paginator") or {"page": 1, "records_per_page": _DEFAULT_PAGE_SIZE}
        size, page = paginator["records_per_page"], paginator["page"]
        total_pages = max(1, -(-len(rows) // size))
        return {
            "entities": rows[(page - 1) * size : page * size],
            "page_info": {
                "page": page,
                "records_per_page": size,
                "total_pages": total_pages,
                "total_count": len(rows),
            },
        }

    # -- mutations ---------------------------------------------------------------------------
    def _create_note(self, _root: Any, _info: Any, input: dict[str, Any]) -> dict[str, Any]:
        nid = self.data.next_id()
        note = {"id": nid, **input}
        self.data.tables["notes"][nid] = note
        return note

    def _update_note(
        self, _root: Any, _info: Any, id: str, input: dict[str, Any]
    ) -> dict[str, Any]:
        note = self.data.tables["notes"][id]
        note.update({k: v for k, v in input.items() if v is not None})
        return note

    def _update_custom_fields(self, _root: Any, _info: Any, **args: Any) -> list[dict[str, Any]]:
        owner = args["customfielddataable_id"]
        unset = set((args.get("input") or {}).get("unset_custom_field_data") or [])
        table = self.data.tables["custom_field_data"]
        for key in [k for k, d in table.items() if d["customfielddataable_id"] == owner]:
            if table[key]["custom_field_id"] in unset:
                del table[key]
        return [d for d in table.values() if d["customfielddataable_id"] == owner]


def seed_accounts(data: FakeSonarData, count: int) -> Iterator[str]:
    """Add ``count`` realistic accounts (for the benchmark and paging tests)."""
    for n in range(count):
        yield data.add_account(
            f"Customer {n}",
            email=f"customer{n}@example.net",
            phone=f"+1206555{n % 10000:04d}",
            address={
                "line1": f"{n + 1} Main St",
                "city": "Seattle",
                "subdivision": "US_WA",
                "zip": "98101",
            },
        )
