"""Built-in English recognizer for call detail (R2, 47 CFR 64.2003(d)).

Call detail is about *specific* calls and messages: who called, which numbers, when, how
long. A request for it ("what number called me at 3am") or an agent stating it ("a 14 min
call to 555-201-3344 on 5/3") is sensitive; a phone number offered for a callback is not.
"""

from __future__ import annotations

from bot.domain.detection._entities import EntityKind
from bot.domain.detection._vocab import (
    CALL_ANCHORS,
    CALL_VERB,
    CALLBACK,
    GAP3,
    GAP4,
    NOT_DISCLOSED,
    SUPPORT_CONTACT,
    not_after_relative_noun,
    without_modal,
    words,
)
from bot.domain.detection.model import Category
from bot.domain.detection.recognizer import PatternSpec, RecognizerSpec

__all__ = ["CALL_DETAIL"]

# Trouble making calls, or asking what calls cost, is a service or pricing question.
_SERVICE_TROUBLE = words(
    "can't|cant|cannot|unable|not able|won't|wont|no service|no signal|outage|not working"
    "|dropping|dropped|static|echo|fail|failed|failing|fails|straight to voicemail|to make"
    "|to send|to receive|able to|rate|rates|pricing|price|cost"
)
_NOT_CALL_DETAIL = (*CALLBACK, *SUPPORT_CONTACT, *_SERVICE_TROUBLE)
_MODALS = words("will|gonna|going to|should|can|could|would|shall|may|might|you|your company")
_AFTER_NOUN = (
    r"(?:made|received|sent|placed|from|to|on|between|in|during|last|yesterday|that|this|i|he"
    r"|she|we|they|dialed|dialled|for|after|before|around|at|my|his|her|our|their)"
)

_PATTERNS = (
    PatternSpec(
        name="call_log",
        regex=(
            r"\b(?:(?:incoming|outgoing|missed|inbound|outbound|international|long distance)"
            r"\s{1,3})?(?:call|calls|calling|text|texting|text message|text messages|txt|sms"
            r"|mms|phone)[\s-]{1,2}(?:logs?|history|histories|records?|detail records?)\b"
            r"|\bcdrs?\b"
        ),
        score=0.6,
        anchors=words("log|logs|history|histories|record|records|cdr|cdrs"),
        negative=(
            *NOT_DISCLOSED,
            *words("clear|delete|deleted|erase|erased|wipe|settings|recents"),
        ),
    ),
    PatternSpec(
        name="call_details",
        regex=(
            r"\b(?:call|calls|calling|text|texting|text message|sms)[\s-]{1,2}"
            r"(?:details?|activity|report|listing)\b"
        ),
        score=0.4,
        anchors=words("detail|details|activity|report|listing"),
    ),
    PatternSpec(
        name="who_called",
        regex=(
            r"\bwho(?:'s|s|\s{1,3}is|\s{1,3}was|\s{1,3}has|\s{1,3}have|\s{1,3}had|\s{1,3}keeps"
            r"|\s{1,3}kept|\s{1,3}did|\s{1,3}does)?"
            r"(?:\s{1,3}(?:i|he|she|they|we|(?:my|his|her|our|this|that)\s{1,3}[\w']{1,20}+))?"
            rf"(?:\s{{1,3}}been)?\s{{1,3}}(?:{CALL_VERB}|blowing up)\b"
        ),
        score=0.8,
        anchors=words("who|whos"),
        validators=(not_after_relative_noun,),
    ),
    PatternSpec(
        name="last_caller",
        regex=(
            r"\b(?:who|what|which)\s{1,3}(?:was|is|were|are)\s{1,3}the\s{1,3}(?:last|first|most"
            r"|latest|most recent)\s{1,3}(?:person|number|caller|one|people|numbers|recent)"
            rf"\s{{1,3}}{GAP3}{CALL_VERB}\b"
        ),
        score=0.8,
        anchors=words("last|first|most|latest"),
    ),
    PatternSpec(
        name="what_number_called",
        regex=(
            r"\b(?:what|which|whose|what's|whats)(?:\s{1,3}(?:is|was|are|were))?(?:\s{1,3}the)?"
            r"\s{1,3}(?:(?:phone|cell|mobile|other|unknown|private)\s{1,3})?"
            rf"(?:numbers?|nums?|#s?|contacts?)\s{{1,3}}{GAP4}{CALL_VERB}\b"
        ),
        score=0.8,
        anchors=words("number|numbers|num|nums|contact|contacts"),
        validators=(without_modal,),
    ),
    PatternSpec(
        name="numbers_dialed",
        also=words("dialed|dialled|called|texted|made|received|placed|sent"),
        regex=(
            r"\b(?:numbers?|calls?|texts?|text messages?|phone calls?)\s{1,3}(?:dialed|dialled"
            r"|called|texted|made|received|placed|sent)\s{1,3}(?:from|to|by|on)\b"
        ),
        score=0.6,
        anchors=words("number|numbers|call|calls|text|texts|messages|message"),
        negative=_NOT_CALL_DETAIL,
    ),
    PatternSpec(
        name="unknown_caller",
        also=words("unknown|private|blocked|strange|random|unfamiliar|weird|spam|same|this|that"),
        regex=(
            r"\b(?:unknown|private|blocked|strange|random|unfamiliar|weird|spam|same|this|that)"
            r"\s{1,3}(?:number|caller|#)\s{1,3}(?:(?:that|who)\s{1,3})?(?:keeps\s{1,3}"
            r"|kept\s{1,3}|has been\s{1,3}|have been\s{1,3}|was\s{1,3}|is\s{1,3})?"
            r"(?:calling|texting|called|texted|calls|texts|ringing)\b"
        ),
        score=0.4,
        anchors=words("number|caller"),
        negative=words("block|blocking|blocked|stop|spam blocker|report it"),
    ),
    PatternSpec(
        name="count_of_calls",
        regex=(
            r"\b\d{1,3}\s{1,3}(?:calls|texts|missed calls|text messages)\s{1,3}(?:from|to|since"
            r"|on|between|last|yesterday|today|this|in the)\b"
        ),
        score=0.45,
        anchors=words("calls|texts|messages"),
        negative=_NOT_CALL_DETAIL,
    ),
    PatternSpec(
        name="did_call",
        also=words("did|has|have|had|was|were|does"),
        regex=(
            r"\b(?:did|has|have|had|was|were|does)\s{1,3}(?:i|he|she|they|we|anyone|someone"
            r"|somebody|anybody|(?:my|his|her|our|this|that|the)\s{1,3}[\w']{1,20}+)"
            rf"\s{{1,3}}(?:ever\s{{1,3}}|actually\s{{1,3}}|been\s{{1,3}}|really\s{{1,3}}){{0,2}}"
            rf"{CALL_VERB}\b"
        ),
        score=0.45,
        anchors=CALL_ANCHORS,
        negative=(*CALLBACK, *SUPPORT_CONTACT, *words("verification|code|otp|confirmation")),
    ),
    PatternSpec(
        name="calls_received",
        also=words("receive|received|get|got|getting|make|made|place|placed"),
        regex=(
            r"\b(?:receive|received|get|got|getting|make|made|place|placed)\s{1,3}(?:any\s{1,3}"
            r"|a\s{1,3}|the\s{1,3}|those\s{1,3}|these\s{1,3}|all\s{1,3}(?:the\s{1,3}|those\s{1,3})?)?"
            r"(?:calls?|texts?|text messages?|phone calls?|collect calls?)\s{1,3}(?:from|to|on|at"
            r"|between|last|yesterday|this|that|after|before|around|during)\b"
        ),
        score=0.45,
        anchors=words("calls|call|texts|text"),
        negative=_NOT_CALL_DETAIL,
    ),
    PatternSpec(
        name="when_or_how_long",
        also=words(
            "call|calls|called|calling|text|texts|texted|texting|phoned|dialed|dialled|rang"
        ),
        regex=(
            r"\b(?:how long|duration|length|what time|when|how many times|how often|what date"
            r"|which day|what day|exact time)\s{1,3}"
            rf"{GAP4}(?:call|calls|called|calling|text|texts|texted|texting|phoned|dialed"
            r"|dialled|rang)\b"
        ),
        score=0.45,
        anchors=words("long|duration|length|time|when|times|often|date|day"),
        negative=(
            *CALLBACK,
            *SUPPORT_CONTACT,
            *_MODALS,
            *_SERVICE_TROUBLE,
            *words(
                "wait|open|on a call|on the phone|someone else|call waiting|voicemail|taking"
                "|queue|hold|waiting|answered by"
            ),
        ),
    ),
    PatternSpec(
        name="calls_list_request",
        also=words(
            "list|show|pull|print|printout|give|get|send|email|e|mail|tell|look|lookup|find"
            "|request|provide|export|copy|copies|record|records|details|info|log|history"
            "|report|breakdown|see|check|access"
        ),
        regex=(
            r"\b(?:list|show|pull|print|printout|print out|give me|get me|send me|email me"
            r"|e-mail me|mail me|tell me|look up|lookup|find|request|provide|export|copy of"
            r"|copies of|record of|records of|details of|details on|info on|log of|history of"
            r"|report of|breakdown of|see|check|access to|list of)\s{1,3}"
            rf"{GAP4}(?:calls|texts|text messages|phone calls|call|numbers (?:called|dialed"
            rf"|dialled|texted))\s{{1,3}}{_AFTER_NOUN}\b"
        ),
        score=0.6,
        anchors=words("calls|texts|messages|call|numbers"),
        negative=_NOT_CALL_DETAIL,
    ),
    PatternSpec(
        name="message_contents",
        regex=(
            r"\b(?:content|contents|copy|copies|transcript|transcripts)\s{1,3}(?:of\s{1,3})?"
            rf"{GAP3}(?:texts|text messages|sms|voicemails|phone calls)\b"
        ),
        score=0.7,
        anchors=words("texts|messages|sms|voicemails|calls"),
        negative=words("chat|ticket|this conversation|support|email"),
    ),
    PatternSpec(
        name="call_with_number_and_time",
        regex=rf"\b(?:{CALL_VERB}|incoming|outgoing|inbound|outbound|missed)\b",
        score=0.6,
        anchors=(*CALL_ANCHORS, *words("incoming|outgoing|inbound|outbound|missed")),
        requires=(EntityKind.PHONE, EntityKind.WHEN),
        negative=(*CALLBACK, *SUPPORT_CONTACT),
    ),
    PatternSpec(
        name="number_with_duration",
        regex=r"\b\d{1,4}\s?(?:min|mins|minutes?|sec|secs|seconds?)\b",
        score=0.55,
        anchors=words("min|mins|minute|minutes|sec|secs|second|seconds"),
        requires=(EntityKind.PHONE,),
        negative=(*CALLBACK, *SUPPORT_CONTACT, *words("away|late|arrive|eta|within|ago")),
    ),
)

CALL_DETAIL = RecognizerSpec(
    name="call_detail",
    category=Category.CALL_DETAIL,
    patterns=_PATTERNS,
    context=words(
        "my|our|his|her|their|your|son|daughter|husband|wife|boyfriend|girlfriend|ex|kid|kids"
        "|child|mom|dad|mother|father|grandmother|account|line|cell|this number|that number"
        "|log|logs|records|list|history|incoming|outgoing|last night|yesterday|last week"
        "|last month|dates|who|whose|identify|trace|lookup|look up|how many|how long|send|pull"
        "|print|copy|subpoena|court|cheating|restraining order|custody"
    ),
    context_entities=(EntityKind.PHONE, EntityKind.WHEN, EntityKind.DURATION),
    disclosure_capable=True,
)
