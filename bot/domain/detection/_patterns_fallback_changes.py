"""Fallback recognizers for change requests: credentials, addresses of record, port and SIM.

See :mod:`bot.domain.detection._patterns_fallback` for the idea: the customer's own account
plus the category's vocabulary, a score below the threshold, raised by a request cue.
"""

from __future__ import annotations

import re

from bot.domain.detection._entities import EntityKind
from bot.domain.detection._patterns_account import NOT_ACCOUNT_CREDENTIAL
from bot.domain.detection._patterns_fallback import (
    FALLBACK_RULES,
    FALLBACK_SCORE,
    OWN,
    PROCESS,
    REQUEST_CUES,
)
from bot.domain.detection._vocab import GAP2, words
from bot.domain.detection.model import Category
from bot.domain.detection.recognizer import MatchContext, PatternSpec, RecognizerSpec

__all__ = ["FALLBACK_RECOGNIZERS"]

_SECRET_CHANGE = re.compile(r"\b(?:reset|change|update|new|make|create|recover|set\s{1,3}up)\b")


def _secret_changes(ctx: MatchContext) -> bool:
    """Keep a PIN or security-answer mention only when its sentence changes or sets one."""
    lo, hi = ctx.sentence
    return _SECRET_CHANGE.search(ctx.text, lo, hi) is not None


_CREDENTIALS = RecognizerSpec(
    name="fallback_credential_change",
    fallback=True,
    category=Category.CREDENTIAL_CHANGE,
    patterns=(
        PatternSpec(
            name="make_or_reset_secret",
            regex=(
                r"\b(?:make|set|get|pick|choose|reset|recover|remember|forgot|change)\s{1,3}"
                rf"{GAP2}(?:pin|passcode|security\s{{1,3}}(?:answer|question)|username"
                r"|user\s{1,3}name|login)\b"
            ),
            score=FALLBACK_SCORE,
            anchors=words("make|set|get|pick|choose|reset|recover|remember|forgot|change"),
            also=words("pin|passcode|security|username|user|login"),
        ),
        PatternSpec(
            name="security_answer_change",
            regex=r"\bsecurity\s{1,3}(?:answer|question)s?\b",
            validators=(_secret_changes,),
            score=FALLBACK_SCORE,
            anchors=words("security"),
        ),
        PatternSpec(
            name="cannot_get_in",
            regex=(
                r"\b(?:log\s{0,2}in|sign\s{0,2}in|get\s{1,3}(?:back\s{1,3})?in(?:to)?)\s{1,3}"
                rf"(?:to\s{{1,3}})?{OWN}\s{{1,3}}(?:online\s{{1,3}})?(?:account|acct|portal)"
            ),
            score=FALLBACK_SCORE,
            anchors=words("log|login|sign|signin|get"),
            also=words("account|acct|portal"),
        ),
    ),
    context=words(
        "can't|cant|cannot|forgot|reset|remember|don't remember|locked|doesn't exist|help"
        "|how do i|get back in|need|make|create|new|?|please"
    ),
    negative=(*NOT_ACCOUNT_CREDENTIAL, *PROCESS, *words("transfer|port|admin")),
)

_ADDRESSES = RecognizerSpec(
    name="fallback_address_change",
    fallback=True,
    category=Category.ADDRESS_CHANGE,
    patterns=(
        PatternSpec(
            name="change_own_number",
            regex=(
                rf"\b(?:change|changing|update|updating|switch)\s{{1,3}}{OWN}\s{{1,3}}"
                r"(?:[\w-]{1,10}\s{1,3})?(?:[\w-]{1,10}\s{1,3})?(?:number|address|e-?mail)\b"
            ),
            score=FALLBACK_SCORE,
            anchors=words("change|changing|update|updating|switch"),
            also=words("number|address|email|mail"),
        ),
        PatternSpec(
            name="of_record_change",
            regex=(
                r"\b(?:e-?mail|address|number)[\s-]{1,2}of[\s-]{1,2}record[\s-]{1,2}"
                r"(?:change|update|switch)"
            ),
            score=0.6,
            anchors=words("record"),
        ),
        PatternSpec(
            name="bills_go_to",
            regex=(
                rf"\b{OWN}\s{{1,3}}(?:bills?|statements?|invoices?|mail)\s{{1,3}}to\s{{1,3}}"
                r"(?:go|be\s{1,3}sent|be\s{1,3}mailed|come)\s{1,3}to\b"
            ),
            score=FALLBACK_SCORE,
            anchors=words("bill|bills|statement|statements|invoice|invoices|mail"),
        ),
    ),
    context=(*REQUEST_CUES, *words("new|moved|now")),
    negative=(
        *PROCESS,
        *words(
            "preferences|marketing|newsletter|availability|serviceable|plan|password|pin"
            "|ringtone|display name"
        ),
    ),
    context_entities=(EntityKind.STREET, EntityKind.EMAIL),
)

_PORTS = RecognizerSpec(
    name="fallback_port_or_sim",
    fallback=True,
    category=Category.PORT_OR_SIM,
    patterns=(
        PatternSpec(
            name="port_mentioned",
            regex=(
                r"\b(?:a|the|any|my|our|this|for)\s{1,3}(?:port|porting)\b"
                r"|\bport(?:ing)?\s{1,3}(?:request|to|away|over)\b"
                r"|\b(?:unlocked|eligible|ready|released)\s{1,3}for\s{1,3}port"
            ),
            score=FALLBACK_SCORE,
            anchors=words("port|porting"),
        ),
        PatternSpec(
            name="own_esim",
            regex=(
                rf"\b(?:{OWN}\s{{1,3}}(?:[\w-]{{1,10}}\s{{1,3}})?e-?sim|e-?sim\s{{1,3}}"
                r"(?:transfer|profile|disappeared|missing|gone|deleted|removed|stopped|code))\b"
            ),
            score=FALLBACK_SCORE,
            anchors=words("esim|e"),
        ),
    ),
    context=(*REQUEST_CUES, *words("line|lines|number|numbers|rejected|pending|authorize")),
    negative=(
        *PROCESS,
        *words(
            "forwarding|ethernet|usb|router|modem|firewall|gaming|switch to your|to your service"
            "|join|joining|become a customer|from at&t|from verizon|from t-mobile|port in"
            "|port-in|compatible|support esim|supports|center|desk|team|department|dept"
        ),
    ),
    context_entities=(EntityKind.PHONE,),
)

FALLBACK_RECOGNIZERS: tuple[RecognizerSpec, ...] = (
    *FALLBACK_RULES,
    _CREDENTIALS,
    _ADDRESSES,
    _PORTS,
)
"""The fallback recognizers, one per category; the detector runs them last."""
