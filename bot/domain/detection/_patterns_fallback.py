"""Recall-oriented fallback recognizers: the customer's own account plus CPNI vocabulary.

The phrase recognizers ask for a shape ("what number called me"). People write many more
shapes than anyone lists, so each category also has a fallback: a message that refers to
one customer's own account, line, bill or number ("my", "our", "her line", "the cust's",
"on the account", "this account") *and* uses that category's vocabulary (calls and texts
with a time; bill, charge, plan and usage; account number, PIN or contact data on file;
reset or forgot a login; change the address or number of record; port, SIM or eSIM).

A fallback match scores below the threshold (``FALLBACK_SCORE``) and counts only with a
request or disclosure cue near it: a question, "can you", "need", an agent's telegraphic
note ("cust asked", "confirmed", "advised", "per acct"). General process talk among agents
(training, workflows, how-to tips) and other services' passwords are negative words. The
explanation names the fallback recognizer, so a reviewer can tell a rule hit from a
fallback hit. Calibrated on the dev files to keep precision at or above 0.95.
"""

from __future__ import annotations

import re

from bot.domain.detection._entities import EntityKind
from bot.domain.detection._vocab import CALLBACK, NOT_DISCLOSED, PROCESS_TALK, words
from bot.domain.detection.model import Category
from bot.domain.detection.recognizer import (
    ANY_DIGIT,
    MatchContext,
    PatternSpec,
    RecognizerSpec,
)

__all__ = [
    "FALLBACK_RULES",
    "FALLBACK_SCORE",
    "OWN",
    "OWN_ANCHORS",
    "PROCESS",
    "REQUEST_CUES",
]

FALLBACK_SCORE = 0.3
"""Base score of a fallback match: below ``min_score`` until a request cue raises it."""
SPECIFIC_CALL_SCORE = 0.5
"""A call or text with a time and a number or duration in its sentence needs no cue."""

# Whose account: the customer's, named by a possessive or "the account" itself.
OWN = (
    r"(?:my|our|your|his|her|their|ur|(?:the\s{1,3})?(?:customer|cust|cx|client|caller"
    r"|subscriber|member)'?s|this\s{1,3}(?:account|acct|line)|the\s{1,3}(?:account|acct))"
)
# One of these words is in every text OWN matches ("this account" holds "account").
OWN_ANCHORS = words(
    "my|our|your|his|her|their|ur|customer|cust|cx|client|caller|subscriber|member"
    "|account|acct|line"
)
# A request, a question or an agent's note that something was looked up or told.
REQUEST_CUES = words(
    "?|what|what's|whats|why|which|when|who|how much|how many|how long|can you|could you"
    "|can u|can i|pls|plz|please|need|needs|want|wants|wanted|asking|asked|requested|request"
    "|tell me|let me know|check|see|confirm|confirmed|advised|explained|verified|read back"
    "|provided|provide|gave|give|send me|show|shows|showed|says|said|pull up|look up"
    "|look at|help|forgot|cust|cx|caller|customer|per acct|per account|acct|re:|i'd like"
    "|trying|disputing|dispute|noticed|see|seeing"
)
# Process talk among agents, other services and hypotheticals: no customer's data.
PROCESS = (
    *PROCESS_TALK,
    *words(
        "tip|tips|kb|macro|policy says|in general|for new customers|new customers|how do we"
        "|is there a way|example|sample|template"
    ),
)
_CALL_NOUN = (
    r"(?:calls?|phone\s{1,3}calls?|missed\s{1,3}calls?|texts?|text\s{1,3}messages?|sms"
    r"|txts?|voicemails?|call\s{1,3}(?:log|logs|history|records?|list|details?))"
)


_PLUS_OR_HASH_NUMBER = re.compile(r"[+#]\s?\d")


def _call_specifics(ctx: MatchContext) -> bool:
    """Keep a call mention only when its sentence names a number, a duration or a time."""
    lo, hi = ctx.sentence
    ents = ctx.entities
    if ents.has(EntityKind.DURATION, lo, hi):
        return True
    sentence = ctx.text[lo:hi]
    if any(w in sentence for w in (" number", "short code", "area code")):
        return True
    if _PLUS_OR_HASH_NUMBER.search(sentence):
        return True
    # Phone numbers last: the matcher costs far more than a word test.
    return ents.has(EntityKind.PHONE, lo, hi)


_DIGIT = re.compile(r"\d")


def _not_trivial(ctx: MatchContext) -> bool:
    """Reject one digit repeated or a plain ascending run ("11111111", "123456")."""
    digits = "".join(_DIGIT.findall(ctx.text, ctx.start, ctx.end))
    return len(set(digits)) > 1 and digits not in "01234567890123456789"


_CALLS = RecognizerSpec(
    name="fallback_call_detail",
    fallback=True,
    category=Category.CALL_DETAIL,
    patterns=(
        PatternSpec(
            name="own_call_records",
            regex=(
                rf"\b{OWN}\s{{1,3}}(?:[\w'-]{{1,15}}\s{{1,3}})?(?:incoming\s{{1,3}}|outgoing"
                r"\s{1,3}|recent\s{1,3}|international\s{1,3}|intl\s{1,3})?(?:call\s{1,3}(?:log"
                r"|logs|history|records?|list|details?)|calls|texts|text\s{1,3}messages"
                r"|text\s{1,3}history|sms\s{1,3}history)\b"
            ),
            score=FALLBACK_SCORE,
            anchors=words("calls|texts|call|text|sms"),
            also=OWN_ANCHORS,
        ),
        PatternSpec(
            name="call_with_specifics",
            regex=rf"\b{_CALL_NOUN}\b",
            score=SPECIFIC_CALL_SCORE,
            anchors=words("call|calls|missed|text|texts|sms|txt|txts|voicemail|voicemails"),
            # The validator needs a digit (number, duration, phone) or a number/code word.
            also=(ANY_DIGIT, *words("number|numbers|numbered|code")),
            requires=(EntityKind.WHEN,),
            validators=(_call_specifics,),
        ),
        PatternSpec(
            name="how_long_call",
            regex=(
                r"\bhow\s{1,3}long\s{1,3}(?:the|that|this|my|our|his|her)\s{1,3}(?:phone\s{1,3})?"
                r"(?:call|calls)\s{1,3}(?:actually\s{1,3}|really\s{1,3})?(?:was|were|lasted)\b"
            ),
            score=FALLBACK_SCORE,
            anchors=words("long"),
        ),
    ),
    context=REQUEST_CUES,
    negative=(
        *CALLBACK,
        *PROCESS,
        *words(
            "scam|spam|robocall|robocalls|telemarketing|outage|technician|appointment|install"
            "|customer service|support|on hold|you guys|from your|drop|dropping|dropped calls"
            "|keep dropping|can't make|cant make|cannot make|no service|rate|rates|price"
            "|how do i|how to|erased|recents|iphone|android|app|tech|arrive|arriving|eta|scheduled"
            "|he'll call|she'll call|they'll call|we'll call"
        ),
        *NOT_DISCLOSED,
    ),
    disclosure_capable=True,
)

_USAGE_NOUN = (
    r"(?:bill|bil|bills|statement|statements|invoice|invoices|charges?|fees?|usage|data"
    r"|minutes|overages?|plan|plans|features?|add-?ons?|balance|internet|service|services"
    r"|line|lines|package|promo|discount|credits?|total|payment)"
)
_USAGE = RecognizerSpec(
    name="fallback_usage_billing",
    fallback=True,
    category=Category.USAGE_BILLING,
    patterns=(
        PatternSpec(
            name="own_bill_or_plan",
            regex=(
                rf"\b{OWN}\s{{1,3}}(?:[\w'-]{{1,15}}\s{{1,3}})?(?:[\w'-]{{1,15}}\s{{1,3}})?"
                rf"{_USAGE_NOUN}\b"
            ),
            score=FALLBACK_SCORE,
            anchors=words(
                "bill|bil|bills|statement|statements|invoice|invoices|charge|charges|fee|fees"
                "|usage|data|minutes|overage|overages|plan|plans|feature|features|addon|add"
                "|addons|balance|internet|service|services|line|lines|package|promo|discount"
                "|credit|credits|total|payment"
            ),
            also=OWN_ANCHORS,
            requires=(EntityKind.MONEY,),
        ),
        PatternSpec(
            name="own_usage_amount",
            regex=(
                r"\b(?:used|hit|using|went\s{1,3}over|over|reached|burned\s{1,3}through)\s{1,3}"
                r"(?:all\s{1,3}(?:of\s{1,3})?)?(?:my|our|his|her|their|the|your)?\s{0,3}"
                r"\d[\d.,]{0,8}\s{0,2}(?:gb|mb|gigs?|minutes|mins|texts)\b"
            ),
            score=FALLBACK_SCORE,
            anchors=words("used|hit|using|went|over|reached|burned"),
            also=(ANY_DIGIT,),
        ),
        PatternSpec(
            name="owe_or_bill_says",
            regex=(
                r"\b(?:bill|bil|statement|invoice)\s{1,3}(?:says|shows|said"
                r"|showed|still\s{1,3}shows)\b|\bi\s{1,3}owe\b"
            ),
            score=FALLBACK_SCORE,
            anchors=words("bill|bil|statement|invoice|owe"),
            also=words("says|shows|said|showed|owe"),
        ),
        PatternSpec(
            name="line_shows",
            regex=(
                r"\blines?\s{1,3}\d(?:\s{0,2}(?:-|and|&)\s{0,2}\d)?\s{1,3}(?:shows?|has|have"
                r"|is\s{1,3}on|are\s{1,3}on|still\s{1,3}has)\b"
            ),
            score=FALLBACK_SCORE,
            anchors=words("line|lines"),
            also=(ANY_DIGIT,),
        ),
    ),
    context=REQUEST_CUES,
    negative=(
        *PROCESS,
        *words(
            "how do i pay|pay my bill online|autopay|paperless|how to pay|where do i pay"
            "|will be|would be|if i|if we|starting at|sign up|offer|how much is|how much does"
            "|cost|price|pricing|usually|typically|generally"
        ),
    ),
    context_entities=(EntityKind.MONEY, EntityKind.DATA_AMOUNT),
    disclosure_capable=True,
)

_ID_NOUN = (
    r"(?:account\s{1,3}(?:number|no|#|pin|passcode)|acct\s{1,3}(?:number|no|#|pin)|pin"
    r"|passcode|(?:phone\s{1,3}|cell\s{1,3}|mobile\s{1,3}|service\s{1,3})?number"
    r"|e-?mail(?:\s{1,3}address)?|address)"
)
_IDENTIFIERS = RecognizerSpec(
    name="fallback_account_identifiers",
    fallback=True,
    category=Category.ACCOUNT_IDENTIFIERS,
    patterns=(
        PatternSpec(
            name="own_account_number",
            regex=(
                rf"\b{OWN}\s{{1,3}}(?:\d-digit\s{{1,3}}|4-digit\s{{1,3}})?(?:account|acct)"
                r"\s{1,3}(?:number|no|#|pin|passcode)\b"
                r"|\bthe\s{1,3}(?:\d-digit\s{1,3})?(?:account|acct)\s{1,3}(?:number|no|#|pin)"
                r"\s{1,3}(?:shown|on|at|printed|listed)\b"
            ),
            score=FALLBACK_SCORE,
            anchors=words("account|acct"),
            also=words("number|no|pin|passcode"),
        ),
        PatternSpec(
            name="on_file",
            regex=(
                rf"\b{_ID_NOUN}\s{{1,3}}(?:(?:we\s{{1,3}}have\s{{1,3}})?on\s{{1,3}}(?:file|the"
                r"\s{1,3}account|the\s{1,3}acct|your\s{1,3}account|my\s{1,3}account|his"
                r"\s{1,3}account|her\s{1,3}account|record))\b"
            ),
            score=FALLBACK_SCORE,
            anchors=words("file|account|acct|record"),
            also=words("on"),
        ),
        PatternSpec(
            name="labelled_account_number",
            regex=(
                r"\b(?:account|acct|a/c|svc|service|ban)\s{0,3}(?:number|num|no\.?|#)?\s{0,3}"
                r"(?:is|was|:|=)?\s{0,3}\d(?:[\s-]{0,2}\d){5,13}(?!\d)"
            ),
            score=0.6,
            anchors=words("account|acct|svc|service|ban"),
            also=(ANY_DIGIT,),
            validators=(_not_trivial,),
        ),
        PatternSpec(
            name="account_under",
            regex=(
                r"\b(?:account|acct)\s{1,3}(?:is\s{1,3})?(?:under|in)\s{1,3}(?:my|his|her|their"
                r"|whose|the|which|what)\s{0,3}(?:name|number|\+?\d)"
            ),
            score=FALLBACK_SCORE,
            anchors=words("account|acct"),
            also=words("under|in"),
        ),
    ),
    context=REQUEST_CUES,
    negative=(
        *PROCESS,
        *words(
            "change|changed|changing|reset|resetting|new pin|set up|setup|create|update"
            "|updated|code|one-time|otp|mailed to|sent to|send to|go to|goes to|stays"
            "|directory|listed in|make|carrier|where do i find|where can i find|where is"
            "|where's|find my"
        ),
    ),
    context_entities=(EntityKind.PHONE, EntityKind.ACCOUNT_NUMBER),
    disclosure_capable=True,
)

FALLBACK_RULES: tuple[RecognizerSpec, ...] = (_CALLS, _USAGE, _IDENTIFIERS)
"""The fallbacks for call detail, usage and billing, and account identifiers."""
