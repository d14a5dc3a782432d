"""Shared regex fragments, word lists and validators for the built-in English recognizers.

Every repeat here is bounded (``{0,3}`` word gaps, never ``.*``), so each pattern does a
bounded amount of work per start position and the whole scan stays linear in the text length.
Word lists are written as ``|``-separated strings (see :func:`words`) to keep them readable.
"""

from __future__ import annotations

import re

from bot.domain.detection.recognizer import MatchContext

__all__ = [
    "CALLBACK",
    "CALL_ANCHORS",
    "CALL_VERB",
    "GAP2",
    "GAP3",
    "GAP4",
    "NOT_DISCLOSED",
    "OWNER",
    "OWNER_NOT_OUR",
    "PROCESS_TALK",
    "SUPPORT_CONTACT",
    "not_after_relative_noun",
    "without_modal",
    "words",
]


def words(spec: str) -> tuple[str, ...]:
    """Split a ``|``-separated word list.

    Args:
        spec: words and phrases separated by ``|``.

    Returns:
        The stripped, non-empty entries.
    """
    return tuple(w.strip() for w in spec.split("|") if w.strip())


# A gap of up to n words between two parts of a phrase; lazy and bounded.
# A gap word may hold a dot only before another word character ("$12.40", "a.m"), so a gap
# never runs across the end of a sentence.
_GAP_WORD = r"(?:[\w'$/-]|\.(?=\w)){1,30}+"
GAP2 = rf"(?:{_GAP_WORD}\s{{1,3}}+){{0,2}}?"
GAP3 = rf"(?:{_GAP_WORD}\s{{1,3}}+){{0,3}}?"
GAP4 = rf"(?:{_GAP_WORD}\s{{1,3}}+){{0,4}}?"

# Whose data: the customer's (my, our) or, in an agent's mouth, the customer's (your, his).
OWNER_NOT_OUR = (
    r"(?:my|your|his|her|their|(?:the\s|this\s)?(?:customer|cust|cx|client|caller|subscriber"
    r"|account|acct|member)'?s)"
)
OWNER = rf"(?:our|{OWNER_NOT_OUR})"

CALL_VERB = (
    r"(?:call|calls|called|calling|dial|dials|dialed|dialled|dialing|text|texts|texted|texting"
    r"|txt|txted|sms|phoned|phoning|rang|ringing|messaged|messaging)"
)
CALL_ANCHORS = words(
    "call|calls|called|calling|dial|dials|dialed|dialled|dialing|text|texts|texted|texting|txt"
    "|txted|sms|phoned|phoning|rang|ringing|messaged|messaging"
)

# A phone number offered for a callback or as contact data is not call detail (issue 4).
CALLBACK = words(
    "call me at|call me on|call me back|call me after|call me before|call me between"
    "|call me when|call me if|call me tomorrow|call me today|call me asap|call me anytime"
    "|call me any time|call me later|call me in|call back|callback|call-back|calling back"
    "|reach me|contact me|text me at|text me on|text me when|text me if|best number"
    "|my number is|number is|can be reached|reachable|you can call|please call"
    "|give me a call|give us a call|ring me|will call|to call|we'll call|i'll call"
    "|gonna call|going to call|call you|calling you|called you|called in|calling in|calls in"
    "|call in"
)
# Talking about contact with the carrier itself (support, technicians, outages).
SUPPORT_CONTACT = words(
    "you guys|on hold|waited|support|customer service|helpdesk|help desk|technician|tech"
    "|appointment|outage|install|installation|delivery|scheduled|reporting|reported|to report"
    "|downed|re:|from you|from your company|from your team|from your support|from your office"
    "|from your store|from your billing|from your department|from your tech|from your end"
    "|from your side|from your number|from your sales|from your fraud|from your rep"
    "|cust called|customer called|cx called|caller called|called about|calling about"
)

# An agent's note that nothing was looked up or told.
NOT_DISCLOSED = words(
    "did not review|didn't review|didnt review|not reviewed|did not disclose|didn't disclose"
    "|not disclosed|no call detail|no call records|did not access|didn't access|not accessed"
)
# Process talk among agents (training, workflows, how-to tips): no customer's data.
PROCESS_TALK = words(
    "training|workflow|calendar invite|calendar|mandatory|meeting|webinar|tip:|kb article"
    "|sop|huddle|all hands|announcement|reminder:|fyi all|new process"
)

_MODAL = re.compile(
    r"\b(?:should|shall|can|could|would|will|do|does|to|may|might|must|gonna|need|needs)\b"
)
_RELATIVE_NOUN = re.compile(
    r"(?:customer|caller|person|guy|lady|woman|man|tech|technician|agent|rep|user|someone"
    r"|anyone|one|people|those|everyone|cx|cust|client|subscriber|gentleman|member|folks"
    r"|others|somebody|anybody)\s{1,3}$"
)
_AFTER_RELATIVE = re.compile(
    r"\s{1,3}(?:in|back|about|regarding|re|you|us|support|earlier|the store|customer service)\b"
)


def without_modal(ctx: MatchContext) -> bool:
    """Reject a match that contains a modal or "do" (asking how to call, not who called).

    Args:
        ctx: the match.

    Returns:
        True when the match has no modal verb in it.
    """
    return _MODAL.search(ctx.text, ctx.start, ctx.end) is None


def not_after_relative_noun(ctx: MatchContext) -> bool:
    """Reject "the customer who called in" style relative clauses.

    Args:
        ctx: the match.

    Returns:
        True when the match is a question about callers, not a relative clause.
    """
    before = ctx.text[max(0, ctx.start - 20) : ctx.start]
    if _RELATIVE_NOUN.search(before):
        return False
    return _AFTER_RELATIVE.match(ctx.text, ctx.end) is None
