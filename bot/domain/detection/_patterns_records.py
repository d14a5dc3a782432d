"""More ways to ask for, state or change what is on record: identifiers and addresses.

Covers the account number, PIN, e-mail, phone number and address *on file* asked for in
plain words ("tell me the last 4 of my account number", "what email do you have on my
acct"), stated with their value ("the account shows the service address as <street>"), read
back in agent notes ("read back acct ...", "provided acct # ..."), and address-of-record
changes phrased indirectly ("change where my bill gets mailed", "change it to <street>").
"""

from __future__ import annotations

from bot.domain.detection._entities import EntityKind
from bot.domain.detection._vocab import CALLBACK, GAP2, GAP4, OWNER, words
from bot.domain.detection.model import Category
from bot.domain.detection.recognizer import MatchContext, PatternSpec, RecognizerSpec

__all__ = ["ACCOUNT_IDENTIFIERS_PHRASING", "ADDRESS_CHANGE_PHRASING", "has_value"]

_VALUE_KINDS = (EntityKind.STREET, EntityKind.EMAIL, EntityKind.PHONE)


def has_value(ctx: MatchContext) -> bool:
    """Accept a match only when its sentence holds an address, e-mail or phone value.

    Args:
        ctx: the match.

    Returns:
        True when a street address, e-mail address or phone number is in the sentence.
    """
    lo, hi = ctx.sentence
    return any(ctx.entities.has(kind, lo, hi) for kind in _VALUE_KINDS)


_ID = (
    r"(?:account\s{1,3}(?:number|no\.?|#|id|pin|password|passcode)|acct\s{0,3}(?:number|no\.?|#"
    r"|id|pin)?|a/c|ban|customer\s{1,3}(?:number|id)|pin|pin\s{1,3}(?:number|code)|passcode"
    r"|security\s{1,3}(?:answer|pin|code)|transfer\s{1,3}pin|(?:email|e-mail)(?:\s{1,3}address)?"
    r"\s{1,3}(?:on\s{1,3}file|on\s{1,3}(?:the|my|our|this)\s{1,3}(?:account|acct)|of\s{1,3}record)"
    r"|(?:service|billing|mailing)\s{1,3}address|address\s{1,3}(?:on\s{1,3}file|of\s{1,3}record)"
    r"|(?:phone\s{1,3})?numbers?\s{1,3}on\s{1,3}(?:the|my|our|this)\s{1,3}(?:account|acct))"
)
_ID_ANCHORS = words(
    "account|acct|a|ban|customer|pin|passcode|security|transfer|email|e|address|number|numbers"
)
_ON_ACCOUNT = (
    r"(?:on|under|in)\s{1,3}(?:this|my|the|our|his|her|their|your|[\w]{1,20}'?s)\s{1,3}"
    r"(?:account|acct|plan)"
)
_NOT_IDENTIFIER = words(
    "card|credit card|debit|bank account|routing|payment method|store|location|directions"
    "|hours|fraud department|support number|customer service number|order|tracking|payments"
    "|by check|a check|corporate|headquarters|office address"
)

_CHANGE_WORDS = words(
    "change|changed|changing|update|updated|updating|replace|replaced|switch|switched|new"
    "|correct|corrected|edit|edited|modify|modified"
)
_STREET = (
    r"\d{1,6}\s{1,3}(?:[a-z]{1,20}\.?\s{1,3}){1,3}(?:st|street|ave|avenue|rd|road|blvd|dr"
    r"|drive|ln|lane|ct|court|way|pl|place|pkwy|hwy|cir|ter|trl)\.?"
)
_EMAIL = r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,4}"

_ID_PATTERNS = (
    PatternSpec(
        name="changed_from_value",
        regex=rf"\bfrom\s{{1,3}}(?:{_EMAIL}|{_STREET})[\s,]{{1,3}}to\b",
        score=0.6,
        anchors=("from",),
        negative=_NOT_IDENTIFIER,
    ),
    PatternSpec(
        name="request_identifier",
        also=words(
            "tell|give|send|text|read|remind|confirm|look|lookup|find|need|get|know|what"
            "|whats|which|email|mail"
        ),
        regex=(
            r"\b(?:tell me|give me|send me|text me|email me|read me|read out|remind me of"
            r"|confirm|look up|lookup|find|need|get|know|what's|what is|whats|what was|which is"
            r"|send|email|text|mail)"
            r"\s{1,3}(?:the\s{1,3})?(?:(?:last|first)\s{1,3}(?:4|four|\d|few)\s{1,3}(?:digits"
            rf"\s{{1,3}})?of\s{{1,3}})?{GAP4}(?:my|our|the|his|her|their|cust'?s|customer'?s)\s{{1,3}}"
            rf"(?:full\s{{1,3}}|current\s{{1,3}})?{_ID}\b"
        ),
        score=0.6,
        anchors=words("account|acct|pin|passcode|security|transfer|email|e|address|number|ban"),
        negative=(
            *_NOT_IDENTIFIER,
            *words(
                "where do i find|where can i find|where is|printed|to verify|verify your"
                "|change|update|new|reset|forgot|set up|setup|create|port|transfer my|switch"
                "|replace|move|correct|edit|fix|modify"
            ),
        ),
    ),
    PatternSpec(
        name="what_do_you_have",
        also=words("have|has|got|show|showing|list|see|say"),
        regex=(
            r"\b(?:what|which|whats|what's)\s{1,3}(?:email|e-mail|email address|address"
            r"|phone number|number|numbers|pin|name|contact info|info|information)\s{1,3}"
            r"(?:do|does|did|is|are)?\s{0,3}(?:you|you guys|y'all|u|u guys|your system|the system"
            r"|it)\s{1,3}(?:have|has|got|show|showing|list|see|say)\b"
        ),
        score=0.55,
        anchors=words("email|e|address|number|numbers|pin|name|info|information"),
        negative=_NOT_IDENTIFIER,
    ),
    PatternSpec(
        name="identifier_with_value",
        also=words("on|of|in|for|registered|listed|shows|showed|showing|lists|says"),
        regex=(
            r"\b(?:email|e-mail|email address|address|service address|billing address"
            r"|mailing address|home address|phone number|number|contact number|numbers)\s{1,3}"
            r"(?:on\s{1,3}file|(?:on|for|in)\s{1,3}(?:the|my|our|his|her|their|your|this)"
            r"\s{1,3}(?:account|acct|file|profile)|of\s{1,3}record|in\s{1,3}(?:the\s{1,3})?"
            r"(?:system|crm))\b"
            r"|\b(?:account|acct|crm|system|profile|file|record|records)\s{1,3}(?:is\s{1,3}"
            r"|was\s{1,3}|still\s{1,3})?(?:registered|listed|shows|showed|showing|lists|says)\b"
        ),
        score=0.55,
        anchors=words("file|account|acct|record|system|crm|profile|records"),
        # In a change request the value given is the new one, not the one on record.
        negative=(*_NOT_IDENTIFIER, *_CHANGE_WORDS),
        validators=(has_value,),
    ),
    PatternSpec(
        name="number_on_account",
        regex=(
            r"\b(?:is|are|was|were)\s{1,3}(?:it|that|this|these|those|(?:the|this|that)\s{1,3}"
            r"number|\+?[\d(][\d().\s-]{6,18}\d)\s{1,3}(?:still\s{1,3})?(?:listed\s{1,3}"
            rf"|registered\s{{1,3}})?{_ON_ACCOUNT}\b"
        ),
        score=0.55,
        anchors=words("account|acct|plan"),
        requires=(EntityKind.PHONE,),
        negative=(*_NOT_IDENTIFIER, *CALLBACK),
    ),
    PatternSpec(
        name="read_back_identifier",
        also=words("read|reading|gave|give|given|provided|providing|confirmed|stated|told|quoted"),
        regex=(
            r"\b(?:read|reading|gave|give|given|provided|providing|confirmed|stated|told|quoted)"
            r"\s{1,3}(?:back\s{1,3}|out\s{1,3}|(?:cust|cx|customer|caller|him|her|them)\s{1,3})?"
            r"(?:the\s{1,3}|their\s{1,3}|his\s{1,3}|her\s{1,3}|full\s{1,3}|current\s{1,3}){0,2}"
            rf"{_ID}"
            r"|\b(?:read|gave|give|provided|confirmed)\s{1,3}(?:it|them)\s{1,3}(?:back|out)\b"
        ),
        score=0.65,
        anchors=_ID_ANCHORS,
        negative=(
            *_NOT_IDENTIFIER,
            *words("code|ticket|case|reference|first|before|until|required"),
        ),
    ),
)

ACCOUNT_IDENTIFIERS_PHRASING = RecognizerSpec(
    name="account_identifiers_phrasing",
    category=Category.ACCOUNT_IDENTIFIERS,
    patterns=_ID_PATTERNS,
    context=words(
        "my|our|his|her|their|cust|customer|cx|account|acct|on file|what|which|tell me|need"
        "|confirm|last 4|last four|digits|read back|provided|email|address|number"
    ),
    context_entities=(EntityKind.EMAIL, EntityKind.PHONE, EntityKind.STREET),
    disclosure_capable=True,
)

_MAILED = (
    r"(?:bills?|statements?|mail|invoices?|paperwork|notices?|correspondence|paper bills?"
    r"|letters?)"
)

_ADDRESS_PATTERNS = (
    PatternSpec(
        name="change_where_mailed",
        regex=(
            r"\b(?:change|changing|update|updating|switch|redirect|move|moving)\s{1,3}where"
            rf"\s{{1,3}}{GAP2}{_MAILED}\s{{1,3}}(?:gets?\s{{1,3}}|is\s{{1,3}}|are\s{{1,3}})?"
            r"(?:mailed|sent|delivered|goes|go|going|shipped)\b"
        ),
        score=0.7,
        anchors=words("where"),
    ),
    PatternSpec(
        name="change_it_to_value",
        also=words(
            "change|changed|changing|update|updated|updating|switch|switched|move|moved|set"
            "|correct|corrected"
        ),
        regex=(
            r"\b(?:change|changed|changing|update|updated|updating|switch|switched|move|moved"
            r"|set|correct|corrected)\s{1,3}(?:it|that|this|them|the address|the email|the addr)"
            r"\s{1,3}to\b"
        ),
        score=0.6,
        anchors=words("it|that|this|them|address|email|addr"),
        validators=(has_value,),
        negative=words(
            "marketing|promo|promotions|newsletter|shipping|ship|delivery|tracking|carrier"
            "|provider|port|porting|google fi|verizon|t-mobile|at&t|mint"
        ),
    ),
    PatternSpec(
        name="owned_address_new",
        also=words("new|updated|current|correct"),
        regex=(
            rf"\b{OWNER}\s{{1,3}}(?:new|updated|current|correct)\s{{1,3}}(?:billing\s{{1,3}}"
            r"|mailing\s{1,3}|home\s{1,3}|service\s{1,3}|email\s{1,3}|e-mail\s{1,3})?(?:address"
            r"|addr|email|e-mail)\s{1,3}(?:is|will be|=|:)"
        ),
        score=0.6,
        anchors=words("address|addr|email|e"),
        negative=words("marketing|promo|shipping|ship|delivery|work email|for the tech"),
    ),
)

ADDRESS_CHANGE_PHRASING = RecognizerSpec(
    name="address_change_phrasing",
    category=Category.ADDRESS_CHANGE,
    patterns=_ADDRESS_PATTERNS,
    context=words(
        "my|our|his|her|their|cust|customer|account|bill|bills|mail|mailed|statements|new"
        "|please|can i|can you|want|need|address|record|file|effective|moved|moving"
    ),
    context_entities=(EntityKind.STREET, EntityKind.EMAIL),
)
