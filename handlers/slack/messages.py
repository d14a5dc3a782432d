"""Every piece of text the Slack surface shows, in one place (style rule 12).

Nothing here ever includes a PIN, a token or a message body: only states, account numbers,
CPNI category names and the detector's explanations, which name patterns and context words,
never the matched text.
"""

from __future__ import annotations

from datetime import datetime

__all__ = [
    "CATEGORY_LABELS",
    "COMMAND_HELP",
    "NOTICES",
    "STATE_HEADLINES",
    "category_label",
    "format_time",
]

NOTE_FALLBACK = "PIN required before sharing CPNI in this thread"
NOTE_TITLE = ":lock: PIN required"
BUTTON_VERIFY = "Verify PIN"
BUTTON_LINK = "Send customer a secure link"
BUTTON_WHY = "Why locked?"

STATE_HEADLINES = {
    "open": ":white_circle: No CPNI seen in this thread.",
    "locked": ":lock: *PIN required.* Do not share or change CPNI in this thread until the "
    "customer has proven who they are with their account PIN.",
    "challenged": ":hourglass_flowing_sand: *PIN check in progress.* CPNI stays locked until "
    "the PIN is accepted.",
    "verified": ":white_check_mark: *Verified.* CPNI may be discussed for this account only.",
    "locked_out": ":no_entry: *Account locked out* after too many wrong PINs. Do not share CPNI; "
    "the customer can try again later or a supervisor can review.",
    "overridden": ":warning: *Unlocked by a supervisor.*",
}

CATEGORY_LABELS = {
    "call_detail": "call detail records",
    "usage_billing": "usage and bill contents",
    "account_identifiers": "account identifiers",
    "credential_change": "credential changes",
    "address_change": "address-of-record changes",
    "port_out": "port-out / SIM changes",
}

NOTICES = {
    "disclosed": ":rotating_light: This thread is locked: CPNI must not be shared until the "
    "customer's PIN is verified. Your message was recorded as a possible disclosure (R27). "
    "Use *Verify PIN* or *Send customer a secure link* on the PIN-required note.",
    "pin_in_clear": ":warning: That looks like a PIN typed in the clear. Never put a PIN in "
    "the chat: use *Verify PIN* (the modal) or send the customer a secure link. Consider "
    "deleting your message.",
}

MODAL_TITLE = "Verify PIN"
MODAL_SUBMIT = "Verify"
MODAL_CLOSE = "Cancel"
MODAL_ACCOUNT_LABEL = "Account number"
MODAL_PIN_LABEL = "PIN (as the caller says it)"
MODAL_PIN_HINT = "The PIN is checked once and never stored or shown again."
MODAL_INTRO = "Type the PIN the caller tells you. Never paste it in the thread."

ERROR_ACCOUNT_MISSING = "Enter the customer's account number."
ERROR_UNKNOWN_ACCOUNT = "No account with this number."
ERROR_NO_PIN = "This account has no PIN on file. Use a secure link or ask a supervisor."
ERROR_PIN_MISSING = "Enter the PIN."
ERROR_UNAVAILABLE = "Verification is unavailable right now; the thread stays locked. Try again."
ERROR_NEW_PIN_REQUIRED = (
    "The PIN and the backup answer both failed in this conversation, so no more checks are "
    "possible here (R16). The only way forward is a new PIN: send a one-time code to the "
    "contact of record or check photo ID in person. Do not ask for SSN, date of birth, address "
    "or account details instead."
)
MODAL_CHECKING = ":hourglass_flowing_sand: Checking the PIN… this window updates in a moment."
MODAL_VERIFIED = (
    ":white_check_mark: PIN verified. The thread is unlocked for account {account} until "
    "{until}. You can close this window."
)
MODAL_LOCKED_OUT = (
    ":no_entry: Too many wrong PINs: the account is locked out. The thread note says until when."
)
ERROR_UNKNOWN_THREAD = "This thread is no longer known to cpni-guard."


def error_wrong_pin(attempts_left: int) -> str:
    """The modal error for a wrong PIN."""
    tries = "attempt" if attempts_left == 1 else "attempts"
    return f"Wrong PIN. {attempts_left} {tries} left before the account locks."


LINK_POSTED = (
    ":link: Secure link for account *{account}*, valid until {until}. Give it to the customer "
    "(it works once): {url}"
)
LINK_NEEDS_ACCOUNT = (
    "Tie this thread to an account first (`/cpni link ACCOUNT <thread link>`), then send the link."
)
LOCKED_OUT_CLOSED = ":no_entry: Too many wrong PINs: account {account} is locked out{until}."


def format_time(moment: datetime | None) -> str:
    """A Slack date token (shown in the reader's time zone), with a UTC fallback."""
    if moment is None:
        return "further notice"
    stamp = int(moment.timestamp())
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{stamp}^{{date_short_pretty}} {{time}}|{fallback}>"


def category_label(name: str) -> str:
    """A readable label for a CPNI category name."""
    return CATEGORY_LABELS.get(name, name.replace("_", " "))


def state_details(
    state: str, *, until: datetime | None, by: str | None, method: str | None
) -> str | None:
    """The second line of the note: who verified or overrode, how and until when."""
    who = f"<@{by.rsplit(':', 1)[-1]}>" if by and by.startswith("slack:") else (by or "someone")
    if state == "verified":
        how = {
            "agent": "by agent-assisted PIN",
            "link": "by the customer's secure link",
            "reply": "by the customer's reply",
        }.get(method or "", "by PIN")
        return f"Verified {how}, recorded by {who}, until {format_time(until)}."
    if state == "overridden":
        return f"Unlocked by supervisor {who} until {format_time(until)}."
    if state == "locked_out":
        return f"Locked out until {format_time(until)}."
    return None


WHY_HEADER = "*Why this thread is locked*"
WHY_NONE = "No CPNI has been detected in this thread."
HOME_TITLE = "cpni-guard"
HOME_RECENT = "*Your recent PIN checks*"
HOME_RECENT_NONE = "_None yet._"
HOME_LOCKED_OUT = "*Accounts locked out now* (supervisors)"
HOME_LOCKED_OUT_NONE = "_No account is locked out._"

COMMAND_HELP = (
    "*`/cpni` commands* (add a thread link when you are not in the thread's channel context; "
    "without one, the channel's most recently active thread is used):\n"
    "• `/cpni status [thread link]`: the thread's lock, account and CPNI categories\n"
    "• `/cpni verify [ACCOUNT] [thread link]`: open the PIN modal\n"
    "• `/cpni link ACCOUNT [thread link]`: tie the thread to an account\n"
    "• `/cpni lock [thread link]`: lock the thread by hand\n"
    "• `/cpni unlock --reason WHY [thread link]`: supervisors only; lifts the lock, audited\n"
    "• `/cpni help`: this help"
)
CMD_UNKNOWN = "I don't know `/cpni {word}`. " + COMMAND_HELP
CMD_NO_THREAD = (
    "I don't know a thread here yet. Run the command in a channel where cpni-guard watches a "
    "thread, or add the thread's link (More actions > Copy link)."
)
CMD_LINK_USAGE = "Usage: `/cpni link ACCOUNT [thread link]`, e.g. `/cpni link 100234`."
CMD_UNLOCK_USAGE = "Usage: `/cpni unlock --reason WHY [thread link]`; the reason is audited."
CMD_NOT_SUPERVISOR = (
    "Only supervisors (members of the configured Slack user group) can unlock a thread."
)
CMD_NO_SUPERVISOR_GROUP = "No supervisor group is configured (CPNI_SLACK_SUPERVISOR_GROUP)."
CMD_LINKED = "Thread tied to account *{account}*."
CMD_LOCKED = ":lock: Thread locked."
CMD_UNLOCKED = ":warning: Thread unlocked until {until}. Your reason was recorded."
CMD_CANNOT = "That is not possible now: the thread is {state}."
CMD_STATUS = "Thread <{link}|{ts}>: *{state}*{account}{categories}{until}"
CMD_VERIFY_OPENED = "PIN modal opened."
