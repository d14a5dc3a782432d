"""More ways people ask about their calls, usage and plan, and how agents note them.

The first rules (``_patterns_calls``, ``_patterns_billing``) were written against the team's
own phrasing. These recognizers cover the wider vocabulary seen in blind tests: calls that
"came in" or "went to" a number, "the number that called me", whether a call connected or
how long it lasted, disputed calls; a line that "has" a feature, usage "for each line",
charges on "the last 3 bills"; and telegraphic agent notes ("Cust disputing ...",
"credited ...", "monthly recurring ..."). They are separate recognizers so an explanation
names which rule family fired.
"""

from __future__ import annotations

from bot.domain.detection._entities import EntityKind
from bot.domain.detection._vocab import CALLBACK, GAP2, GAP3, OWNER, SUPPORT_CONTACT, words
from bot.domain.detection.model import Category
from bot.domain.detection.recognizer import PatternSpec, RecognizerSpec

__all__ = ["CALL_DETAIL_PHRASING", "USAGE_BILLING_PHRASING"]

_CALL_NOUN = (
    r"(?:calls?|phone calls?|texts?|text messages?|messages?|txts?|sms|voicemails?|collect calls?)"
)
_CALL_NOUN_ANCHORS = words(
    "call|calls|texts|text|message|messages|txt|txts|sms|voicemail|voicemails"
)
# Trouble with calling, or the carrier's own calls, is not call detail.
_NOT_CALLS = (
    *CALLBACK,
    *SUPPORT_CONTACT,
    *words(
        "straight to voicemail|goes to voicemail|go to voicemail|dropping|dropped|drop|keep"
        "|static|echo|no service|no signal|can't|cant|cannot|unable|not working|fail|failed"
        "|spam|scam|telemarketing|robocall|robocalls|rate|rates|price|cost|free|included"
        "|how do i|how to|setting|settings|block|blocking|fake|phish|phishing|macro"
    ),
)
_SUBJECT = (
    r"(?:i|he|she|they|we|anyone|anybody|someone|somebody|(?:my|his|her|our|their|the)"
    r"\s{1,3}[\w']{1,20}+)"
)

_CALL_PATTERNS = (
    PatternSpec(
        name="call_came_or_went",
        also=words("came|come|comes|coming|went|go|goes|going|got|were|was"),
        regex=(
            rf"\b{_CALL_NOUN}\s{{1,3}}(?:that\s{{1,3}}|which\s{{1,3}})?(?:came|come|comes"
            r"|coming|went|go|goes|going|got|were|was)\s{1,3}(?:in\s{1,3}|out\s{1,3}"
            r"|through\s{1,3}|made\s{1,3}|placed\s{1,3}|sent\s{1,3}|received\s{1,3})?"
            r"(?:from|to|between|after|before)\b"
        ),
        score=0.5,
        anchors=_CALL_NOUN_ANCHORS,
        negative=_NOT_CALLS,
    ),
    PatternSpec(
        name="number_that_called",
        also=words("called|texted|dialed|dialled|rang|phoned|messaged|keeps|kept|was"),
        regex=(
            r"\b(?:number|numbers|#|caller|callers|whoever|person|people)\s{1,3}(?:that\s{1,3}"
            r"|who\s{1,3}|which\s{1,3})?(?:(?:my|his|her|our|their|the|this)\s{1,3}[\w']{1,20}+"
            r"\s{1,3}(?:has\s{1,3}|have\s{1,3}|had\s{1,3})?)?(?:called|texted|dialed|dialled"
            r"|rang|phoned|messaged"
            r"|keeps calling|kept calling|keeps texting|was calling|was texting)\s{1,3}"
            r"(?:me|us|my|our|him|her|them|his|their|on|in|last|yesterday|this|that|between"
            r"|after|before|since|during)\b"
        ),
        score=0.55,
        anchors=words("number|numbers|caller|callers|whoever|person|people"),
        negative=(*_NOT_CALLS, *words("rep|agent|representative|sales|salesman|company")),
    ),
    PatternSpec(
        name="where_it_went",
        also=words("went|was|were|came|got|is"),
        regex=(
            r"\b(?:what|which|whose)\s{1,3}(?:number|#|phone|line)\s{1,3}(?:it|that|this|they"
            r"|those|these|the\s{1,3}(?:call|text|message|calls|texts|messages))\s{1,3}"
            r"(?:went|was|were|came|got|is)\b"
            r"|\bwho\s{1,3}(?:it|that|the\s{1,3}(?:call|text|message|calls|texts))\s{1,3}"
            r"(?:was|were|came|is)\s{1,3}(?:from|to|sent)\b"
        ),
        score=0.55,
        anchors=words("number|phone|line|who"),
        negative=CALLBACK,
    ),
    PatternSpec(
        name="whether_called",
        also=words("if|whether|any|all"),
        regex=(
            rf"\b(?:if|whether)\s{{1,3}}{_SUBJECT}\s{{1,3}}(?:ever\s{{1,3}}|actually\s{{1,3}})?"
            r"(?:called|texted|dialed|dialled|phoned|messaged|rang|made calls|sent texts)"
            r"\s{1,3}(?:anyone|anybody|someone|somebody|any|that|this|the|a|those|these|me|him"
            r"|her|them|\+?\d)"
            rf"|\b(?:any|all)\s{{1,3}}{_CALL_NOUN}\s{{1,3}}(?:from|to)\s{{1,3}}(?:my|his|her"
            r"|our|their|the|this|that)\s{1,3}(?:line|number|phone|cell)\b"
        ),
        score=0.5,
        anchors=words("called|texted|dialed|dialled|phoned|messaged|rang|made|sent|any|all"),
        negative=_NOT_CALLS,
    ),
    PatternSpec(
        name="connected_or_lasted",
        regex=(
            r"\b(?:how\s{1,3}long|whether|if|when)\s{1,3}(?:the\s{1,3}|these\s{1,3}|those"
            rf"\s{{1,3}}|that\s{{1,3}}|this\s{{1,3}})?(?:{_CALL_NOUN}|they|it)\s{{1,3}}"
            r"(?:actually\s{1,3}|really\s{1,3})?(?:lasted|last|connected|went through|were"
            r" answered|was answered|were made|was made|were placed|was placed)\b"
        ),
        score=0.55,
        anchors=words("lasted|last|connected|through|answered|made|placed"),
        negative=_NOT_CALLS,
    ),
    PatternSpec(
        name="disputed_calls",
        also=words("didn|did|never|don|do|dont|didnt"),
        regex=(
            r"\b(?:didn'?t|did not|never|don'?t|do not)\s{1,3}(?:make|made|call|dial|dialed"
            r"|text|send|sent|place|placed|receive|received|recognize|recognise)\s{1,3}"
            r"(?:(?:those|these|that|this|any\s{1,3}of\s{1,3}(?:those|these|the))\s{1,3}"
            r"(?:calls?|texts?|numbers?|messages?)|\+?\d{3,}|(?:those|these)\s{1,3}numbers)\b"
        ),
        score=0.55,
        anchors=words(
            "make|made|call|dial|dialed|text|send|sent|place|placed|receive"
            "|received|recognize|recognise"
        ),
        negative=words("spam|scam|telemarketing|robocall|you guys|support"),
    ),
)

CALL_DETAIL_PHRASING = RecognizerSpec(
    name="call_detail_phrasing",
    category=Category.CALL_DETAIL,
    patterns=_CALL_PATTERNS,
    context=words(
        "my|our|his|her|their|your|line|number|phone|son|daughter|husband|wife|kid|dad|mom"
        "|father|mother|yesterday|last night|check|see|tell me|need|know|confirm|find|who"
        "|what|which|when|how long|log|record|records|cdr|lasted|minutes"
    ),
    context_entities=(EntityKind.PHONE, EntityKind.WHEN, EntityKind.DURATION),
    disclosure_capable=True,
)

_PLAN_NOUN = r"(?:line|lines|account|acct|plan|service|package|number)"
_NOT_FEATURE = words(
    "no service|no signal|no internet|outage|down|not working|issue|issues|problem|problems"
    "|static|slow|dropping|how do i|how to|new customers|per month|/mo|for new|offer|sign up"
    "|been hacked|hacked|a virus"
)
_MONEY_ACTION = (
    r"(?:credited|credit(?:ed)?\s{1,3}back|refunded|refund|waived|reversed|adjusted"
    r"|prorated|disputing|disputes|disputed|dispute|contesting|recurring|mrc|billed|charged)"
)

_USAGE_PATTERNS = (
    PatternSpec(
        name="line_has_feature",
        also=words("has|have|had|include|includes|included|comes|came|get|show"),
        regex=(
            rf"\b{OWNER}\s{{1,3}}(?:[\w-]{{1,15}}\s{{1,3}})?{_PLAN_NOUN}\s{{1,3}}(?:still\s{{1,3}}"
            r"|currently\s{1,3}|already\s{1,3})?(?:has|have|had|includes?|included|comes with"
            r"|came with)\b(?!\s{1,3}been)"
            rf"|\b(?:does|do|did|is|are)\s{{1,3}}{OWNER}\s{{1,3}}(?:[\w-]{{1,15}}\s{{1,3}})?"
            rf"{_PLAN_NOUN}\s{{1,3}}(?:still\s{{1,3}})?(?:have|has|include|includes|come with"
            r"|get|show)\b"
        ),
        score=0.6,
        anchors=words("line|lines|account|acct|plan|service|package|number"),
        negative=_NOT_FEATURE,
    ),
    PatternSpec(
        name="still_have",
        regex=(
            r"\b(?:do|does|did|am|is|are)\s{1,3}(?:i|we|he|she|they|my\s{1,3}[\w-]{1,15})"
            r"\s{1,3}still\s{1,3}(?:have|get|got|pay|paying|on)\b(?!\s{1,3}to\b)"
            rf"|\b(?:included|includes|include)\s{{1,3}}(?:in|with|on)\s{{1,3}}{OWNER}\s{{1,3}}"
            r"(?:[\w-]{1,15}\s{1,3})?(?:plan|line|account|bill|package)\b"
        ),
        score=0.6,
        anchors=words("still|included|includes|include"),
        negative=_NOT_FEATURE,
    ),
    PatternSpec(
        name="usage_per_line",
        also=words("usage|data|minutes|texts|overage|charge|charges|bill|breakdown"),
        regex=(
            r"\b(?:usage|data usage|data|minutes|texts|overage|charges?|bill|breakdown)\s{1,3}"
            r"(?:for|on|of|by|per)\s{1,3}(?:each|every|all|both|all the|my|our|his|her|their"
            r"|the|this|that)\s{1,3}(?:of\s{1,3}(?:the|my|our|his|her|their)\s{1,3})?"
            r"(?:[\w'-]{1,15}\s{1,3})?(?:line|lines|phone|phones|device"
            r"|devices|number|numbers|member|members)\b"
        ),
        score=0.55,
        anchors=words("line|lines|phone|phones|device|devices|number|numbers|member|members"),
        negative=(*_NOT_FEATURE, *words("how much is|how much does|cost|price|unlimited plan")),
    ),
    PatternSpec(
        name="on_recent_bills",
        regex=(
            r"\bon\s{1,3}(?:my|our|his|her|their|your|the|this|last|the last)\s{1,3}"
            r"(?:\d{1,2}\s{1,3}|last\s{1,3}|previous\s{1,3}|current\s{1,3}|latest\s{1,3}"
            r"|next\s{1,3}|recent\s{1,3}|monthly\s{1,3}|few\s{1,3}|two\s{1,3}|three\s{1,3})?"
            r"(?:bills|statements|invoices)\b"
        ),
        score=0.5,
        anchors=words("bills|statements|invoices"),
        negative=words("pay|paying|paperless|paper|mail|mailed|email|online|app|autopay"),
    ),
    PatternSpec(
        name="money_on_account",
        regex=rf"\b{_MONEY_ACTION}\b",
        score=0.55,
        anchors=words(
            "credited|credit|refunded|refund|waived|reversed|adjusted|prorated|disputing"
            "|disputes|disputed|dispute|contesting|recurring|mrc|billed|charged"
        ),
        requires=(EntityKind.MONEY,),
        negative=words(
            "new customers|for new|will be|would be|you'll be|if you|if i|starting at"
            "|starts at|sign up|offer|promo code|limited time|in general|typically|usually"
        ),
    ),
    PatternSpec(
        name="feature_added_to_line",
        regex=(
            r"\b(?:added|removed|enabled|disabled|turned on|turned off|took off|put)\s{1,3}"
            rf"{GAP3}(?:to|from|on|off)\s{{1,3}}(?:the\s{{1,3}}|his\s{{1,3}}|her\s{{1,3}}"
            r"|their\s{1,3}|my\s{1,3}|our\s{1,3}|\d{1,2}\s{1,3})?(?:line|lines|invoice|bill"
            r"|account|plan)\b"
        ),
        score=0.5,
        anchors=words("added|removed|enabled|disabled|turned|took|put"),
        negative=words("wifi|router|modem|device|phone|contact|authorized user|favorites"),
    ),
    PatternSpec(
        name="bill_shows",
        regex=(
            r"\b(?:bill|bills|statement|statements|invoice|invoices)\s{1,3}(?:shows?|showed"
            r"|lists?|listed|has|have|had|says|said|includes?|included)\b"
        ),
        score=0.55,
        anchors=words("bill|bills|statement|statements|invoice|invoices"),
        requires=(EntityKind.MONEY,),
        negative=words("sample|example|new customers|will|would|typically|usually"),
    ),
    PatternSpec(
        name="billed_as",
        regex=(
            r"\b(?:was|were|got|been|being|but|and|i'm|im|i am)\s{1,3}(?:billed|charged)"
            rf"\s{{1,3}}{GAP2}(?:as|at|for|twice|double|\$|\d)"
        ),
        score=0.55,
        anchors=words("billed|charged"),
        negative=words("will|would|if|you'll|new customers|how much"),
    ),
)

USAGE_BILLING_PHRASING = RecognizerSpec(
    name="usage_billing_phrasing",
    category=Category.USAGE_BILLING,
    patterns=_USAGE_PATTERNS,
    context=words(
        "my|our|his|her|their|your|cust|customer|cx|line|lines|account|plan|bill|bills"
        "|feature|add-on|addon|included|enabled|charge|charges|credit|fee|tell me|can you"
        "|check|see|know|what|which|why|how much|each|family|son|daughter|dispute|usage"
    ),
    context_entities=(EntityKind.MONEY, EntityKind.DATA_AMOUNT),
    disclosure_capable=True,
)
