"""Every GraphQL operation cpni-guard sends to Sonar, as constant documents.

Values go in variables only. ``tests/sonar/test_contract.py`` validates each document in
:data:`OPERATIONS` against Sonar's full 2025-05 schema, and the fake server executes them.
"""

from __future__ import annotations

__all__ = ["OPERATIONS"]

_ACCOUNT_FIELDS = """
fragment AccountFields on Account {
  id name _version updated_at archived_at
  account_status { id name activates_account }
  contacts(paginator: {page: 1, records_per_page: 100}) {
    entities {
      id name primary email_address username
      phone_numbers(paginator: {page: 1, records_per_page: 100}) { entities { id number country } }
    }
  }
  addresses(paginator: {page: 1, records_per_page: 100}) {
    entities { id type line1 line2 city subdivision zip country }
  }
}
"""

SYNC_ACCOUNTS = (
    """
query SyncAccounts($paginator: Paginator!, $search: [Search]) {
  accounts(paginator: $paginator, search: $search, include_archived: true,
           sorter: [{attribute: "id", direction: ASC}]) {
    page_info { page records_per_page total_pages total_count }
    entities { ...AccountFields }
  }
}
"""
    + _ACCOUNT_FIELDS
)

ONE_ACCOUNT = (
    """
query OneAccount($id: Int64Bit!) {
  accounts(id: $id, include_archived: true) { entities { ...AccountFields } }
}
"""
    + _ACCOUNT_FIELDS
)

CONTACT_OWNER = """
query ContactOwner($id: Int64Bit!) {
  contacts(id: $id) { entities { id contactable_type contactable_id } }
}
"""

PHONE_NUMBER_OWNER = """
query PhoneNumberOwner($id: Int64Bit!) {
  phone_numbers(id: $id) {
    entities { id contact { id contactable_type contactable_id } }
  }
}
"""

ADDRESS_OWNER = """
query AddressOwner($id: Int64Bit!) {
  addresses(id: $id) { entities { id addressable_type addressable_id } }
}
"""

CHANGE_LOGS = """
query ChangeLogs($paginator: Paginator!, $search: [Search]) {
  logs(paginator: $paginator, search: $search, sorter: [{attribute: "id", direction: ASC}]) {
    page_info { page records_per_page total_pages total_count }
    entities { id type loggable_type loggable_id created_at }
  }
}
"""

CONTACT_LOGS = """
query ContactLogs($paginator: Paginator!, $id: Int64Bit!, $search: [Search]) {
  logs(paginator: $paginator, loggable_type: "Contact", loggable_id: $id, search: $search) {
    page_info { page records_per_page total_pages total_count }
    entities { id type previous current created_at }
  }
}
"""

TRIGGERED_MESSAGES = """
query TriggeredMessages($paginator: Paginator!) {
  triggered_messages(paginator: $paginator) {
    page_info { page records_per_page total_pages total_count }
    entities { id name enabled trigger }
  }
}
"""

PERMISSIONS = """
query PortalUserPermissions($username: String!) {
  users(username: $username) {
    entities { id username enabled super_admin role { id name applied_permissions } }
  }
  me { id username super_admin role { id name applied_permissions } }
}
"""

CUSTOM_FIELD = """
query CustomFieldByName($name: String!) {
  custom_fields(name: $name) { entities { id name entity_type type } }
}
"""

CUSTOM_FIELD_DATA = """
query CustomFieldValues($paginator: Paginator!, $field: Int64Bit!) {
  custom_field_data(paginator: $paginator, custom_field_id: $field,
                    customfielddataable_type: Account,
                    sorter: [{attribute: "id", direction: ASC}]) {
    page_info { page records_per_page total_pages total_count }
    entities { id customfielddataable_id value }
  }
}
"""

UNSET_CUSTOM_FIELD = """
mutation UnsetCustomField($id: Int64Bit!, $input: UpdateEntityCustomFieldsMutationInput!) {
  updateEntityCustomFields(customfielddataable_type: Account, customfielddataable_id: $id,
                           input: $input) { id }
}
"""

ACCOUNT_NOTES = """
query AccountNotes($paginator: Paginator!, $id: Int64Bit!, $priority: NotePriority!) {
  notes(paginator: $paginator, noteable_type: Account, noteable_id: $id, priority: $priority) {
    page_info { page records_per_page total_pages total_count }
    entities { id message priority }
  }
}
"""

CREATE_NOTE = """
mutation CreateAccountNote($input: CreateNoteMutationInput!) {
  createNote(input: $input) { id priority }
}
"""

UPDATE_NOTE = """
mutation UpdateAccountNote($id: Int64Bit!, $input: UpdateNoteMutationInput!) {
  updateNote(id: $id, input: $input) { id priority }
}
"""

#: Name -> document, for the contract test and the fake server.
OPERATIONS: dict[str, str] = {
    "SyncAccounts": SYNC_ACCOUNTS,
    "OneAccount": ONE_ACCOUNT,
    "ContactOwner": CONTACT_OWNER,
    "PhoneNumberOwner": PHONE_NUMBER_OWNER,
    "AddressOwner": ADDRESS_OWNER,
    "ChangeLogs": CHANGE_LOGS,
    "ContactLogs": CONTACT_LOGS,
    "TriggeredMessages": TRIGGERED_MESSAGES,
    "PortalUserPermissions": PERMISSIONS,
    "CustomFieldByName": CUSTOM_FIELD,
    "CustomFieldValues": CUSTOM_FIELD_DATA,
    "UnsetCustomField": UNSET_CUSTOM_FIELD,
    "AccountNotes": ACCOUNT_NOTES,
    "CreateAccountNote": CREATE_NOTE,
    "UpdateAccountNote": UPDATE_NOTE,
}
