"""Built-in English recognizers for address-of-record changes and port-out or SIM changes.

An address change (R4 d) is a change of the postal or e-mail address of record or of the
number of record; a marketing-preference change is not (R4's own counter-example) and a
directory listing is not CPNI (R3). Port-outs and SIM changes (R29, 64.2010(h)) are the
account-takeover route; "port forwarding" on a router is not one.
"""

from __future__ import annotations

from bot.domain.detection._entities import EntityKind
from bot.domain.detection._vocab import GAP2, GAP3, GAP4, PROCESS_TALK, words
from bot.domain.detection.model import Category
from bot.domain.detection.recognizer import MatchContext, PatternSpec, RecognizerSpec

__all__ = ["ADDRESS_CHANGE", "PORT_OR_SIM"]

_ADDR_NOUN = (
    r"(?:address|addresses|billing address|mailing address|service address|home address"
    r"|postal address|street address|email|e-mail|email address|e-mail address|contact email"
    r"|contact number|contact phone|contact info|contact information|contact details"
    r"|(?:phone\s{1,3})?number on (?:the|my|our|your) account|number of record"
    r"|address of record|email of record|mailing info|billing info(?:rmation)?"
    r"|(?:billing\s{1,3}|mailing\s{1,3}|service\s{1,3}|home\s{1,3}|email\s{1,3})?addr\.?|addy)"
)
_ADDR_ANCHORS = words("address|addresses|email|e|contact|number|mailing|billing|addr|addy")
_ADDR_VERB = (
    r"(?:change|changes|changing|changed|update|updates|updating|updated|new"
    r"|(?<!the )(?<!a )correct|correcting|corrected|edit|editing|edited|fix|fixing|replace"
    r"|replacing|switch|switching"
    r"|modify|modifying|modified|remove|removing|swap|swapping|redirect|redirecting)"
)
# Marketing preferences (R4's counter-example), shipping, devices and the carrier's own
# addresses are not an address of record.
_NOT_OF_RECORD = words(
    "marketing|newsletter|newsletters|promo|promos|promotional|promotions|preferences"
    "|preference|unsubscribe|opt out|opt-out|optout|spam email|spam emails|spam mail"
    "|mailing list|offers|notification preference|notification preferences|notification settings"
    "|notifications|alerts|store|shipping|ship|return label|return kit|ip address|mac address"
    "|ip|mac|dns|router|wifi|server|url|web address|website|support|by email|via email"
    "|an email|email me|i'll email you|will email you|email you the|can email you|emailed"
    "|in an email|availability|serviceable|service check|interest list"
)


def _gap_without_prepositions(ctx: MatchContext) -> bool:
    """Reject "update ... by email"-style matches where the noun is not the object."""
    span = f" {ctx.text[ctx.start : ctx.end]} "
    return not any(
        f" {w} " in span
        for w in ("by", "via", "through", "in", "an", "with", "to", "notice", "notification")
    )


_ADDRESS_PATTERNS = (
    PatternSpec(
        name="change_address",
        also=words(
            "change|changes|changing|changed|update|updates|updating|updated|new|correct"
            "|correcting|corrected|edit|editing|edited|fix|fixing|replace|replacing|switch"
            "|switching|modify|modifying|modified|remove|removing|swap|swapping|redirect"
            "|redirecting"
        ),
        regex=rf"\b{_ADDR_VERB}\s{{1,3}}{GAP3}{_ADDR_NOUN}\b",
        score=0.55,
        anchors=_ADDR_ANCHORS,
        validators=(_gap_without_prepositions,),
    ),
    PatternSpec(
        name="address_changed",
        also=words(
            "changed|updated|change|update|corrected|is|needs|has|switched|swapped|redirected|moved"
        ),
        regex=(
            rf"\b{_ADDR_NOUN}\s{{1,3}}{GAP3}(?:changed|updated|change|update|corrected|is wrong"
            r"|switched|swapped|redirected|moved over"
            r"|is incorrect|is outdated|is old|needs updating|needs to be updated|needs changing"
            r"|has changed)\b"
        ),
        score=0.5,
        anchors=_ADDR_ANCHORS,
    ),
    PatternSpec(
        name="send_to_new_address",
        also=words(
            "bill|bills|statement|statements|mail|invoice|invoices|paperwork|notice|notices"
            "|correspondence|letters"
        ),
        regex=(
            rf"\b(?:bills?|statements?|mail|invoices?|paperwork|notices?)\s{{1,3}}{GAP3}(?:sent"
            r"|send|mailed|go|going|delivered|forwarded)\s{1,3}to\s{1,3}(?:a|my|the|this|another"
            r"|our)\s{1,3}(?:different|new|other|another|updated)\b"
            r"|\b(?:send|mail|forward|redirect|move)\s{1,3}(?:(?:my|our|the|all|her|his|their)"
            r"\s{1,3}){0,2}(?:bills?|statements?|mail|invoices?|paperwork|correspondence|letters"
            r"|notices)\s{1,3}to\s{1,3}(?:my|our|the|a|this|her|his|their)\s{1,3}(?:new|different"
            r"|other|updated|po\s{0,2}box|p\.o\.\s{0,2}box|work|office)\b"
            r"|\b(?:bills?|statements?|mail|invoices?|paperwork)\s{1,3}(?:mailed|sent|delivered"
            r"|forwarded|to go|going)\s{1,3}(?:somewhere else|elsewhere|to another address"
            r"|to a different address)\b"
        ),
        score=0.7,
        anchors=words("different|new|other|another|updated|po|p|work|office|somewhere|elsewhere"),
    ),
    PatternSpec(
        name="moved",
        regex=(
            r"\b(?:i|we|i've|we've|i have|we have|i'm|we're|i am|we are|customer|cx|he|she"
            r"|they)\s{1,3}(?:just\s{1,3}|recently\s{1,3}|have\s{1,3}|has\s{1,3})?(?:moved"
            r"|relocated|moving|relocating)\b"
        ),
        score=0.45,
        anchors=words("moved|relocated|moving|relocating"),
        negative=words(
            "modem|router|equipment|box|room|upstairs|downstairs|basement|tv|wifi|extender|outage"
            "|technician|tech|install|installation|appointment|provider|carrier|port|porting|voip"
            "|lines to|numbers to|service to"
        ),
    ),
    PatternSpec(
        name="change_number",
        regex=(
            r"\b(?:change|changing|new|different|switch|switching|get a new|replace)\s{1,3}"
            r"(?:(?:my|our|the|your|his|her|a)\s{1,3})?(?:(?:phone|cell|mobile|home|contact"
            r"|primary)\s{1,3})?(?:number|#)\b"
        ),
        score=0.45,
        anchors=("number",),
        negative=words(
            "port|porting|keep my number|reach|call me|contact me|text me|callback|call back"
            "|which number|what number"
        ),
    ),
)

ADDRESS_CHANGE = RecognizerSpec(
    name="address_change",
    category=Category.ADDRESS_CHANGE,
    patterns=_ADDRESS_PATTERNS,
    context=words(
        "my|our|your|his|her|account|on file|please|bill|bills|billing|mail|statements|record"
        "|new|address|update|records|send|service|transfer|new place|new house|new home"
        "|new apartment|want|need|line|can i|can you|i'd like|get|area code|effective"
    ),
    negative=_NOT_OF_RECORD,
    context_entities=(EntityKind.STREET, EntityKind.EMAIL),
)

_SIM_NOUN = r"(?:sim|sims|e-?sims?|sim cards?|simcard)"
_SIM_VERB = (
    r"(?:swap|swapped|swapping|change|changed|changing|replace|replaced|replacing|replacement"
    r"|new|activate|activated|activating|activation|transfer|transferred|transferring|move"
    r"|moved|moving|switch|switched|switching|convert|converted|converting|conversion|reissue"
    r"|issue|issued|lost|stolen|broken|broke|break|bent|damaged|cracked|missing|deactivate"
    r"|deactivated|suspend|suspended|port|ported|install|installed|set up|setup|add|added"
    r"|provision|provisioned|download|downloaded|qr code|blocked|locked|puk)"
)
_PORT_TARGET = (
    r"(?:verizon|at&t|at t|att|t-mobile|tmobile|t mobile|sprint|mint|mint mobile|visible"
    r"|cricket|metro|metropcs|boost|google fi|xfinity mobile|spectrum mobile|us cellular"
    r"|consumer cellular|straight talk|tracfone|another carrier|a different carrier"
    r"|another provider|a different provider|a new carrier|a new provider|another company"
    r"|a competitor)"
)
_NOT_A_PORT = words(
    "forwarding|forward|ethernet|usb|lan|wan|hdmi|coax|router|modem|open|opened|firewall|nat"
    "|upnp|game|gaming|xbox|ps4|ps5|playstation|switch port|charging|tcp|udp|sfp|poe|console"
    "|switch to your|switching to your|to your service|to you guys|become a customer|join you"
)

_PORT_PATTERNS = (
    PatternSpec(
        name="port_number",
        regex=(
            r"\bport(?:ing|ed|s)?(?:[\s-]{1,2}(?:out|in|over|away))?\s{1,3}"
            rf"{GAP3}(?:number|numbers|line|lines|phone|cell|service|my|our|his|her)\b"
        ),
        score=0.75,
        anchors=words("port|porting|ported|ports"),
        negative=_NOT_A_PORT,
    ),
    PatternSpec(
        name="number_ported",
        regex=(
            rf"\b(?:number|numbers|line|lines)\s{{1,3}}{GAP2}(?:ported|port(?:ed)?\s{{1,3}}out"
            r"|transferred\s{1,3}to\s{1,3}(?:another|a different|a new))\b"
        ),
        score=0.75,
        anchors=words("ported|port|transferred"),
        negative=(*_NOT_A_PORT, *words("owner|ownership|responsibility|new owner")),
    ),
    PatternSpec(
        name="number_to_carrier",
        also=words("move|moving|transfer|transferring|take|taking|bring|bringing|switch|switching"),
        regex=(
            r"\b(?:move|moving|transfer|transferring|take|taking|bring|bringing|switch|switching)"
            r"\s{1,3}(?:my|our|the|his|her|both|all)\s{1,3}(?:[\w']{1,10}\s{1,3})?(?:number"
            r"|numbers|line|lines)\s{1,3}(?:over\s{1,3})?(?:to|from)\b"
        ),
        score=0.75,
        anchors=words("number|numbers|line|lines"),
        negative=_NOT_A_PORT,
    ),
    PatternSpec(
        name="transfer_pin",
        regex=(
            r"\b(?:number[\s-]{1,2}transfer|transfer|port(?:[\s-]{1,2}out)?|port-out|portout"
            r"|account transfer)[\s-]{1,2}(?:pin|pins|code|passcode|authori[sz]ation"
            r"|request)\b|\bnt\s?pin\b|\bntp\b|\bport(?:ing|ed|s)?[\s-]?out\b"
        ),
        score=0.85,
        anchors=words("transfer|port|portout|nt|ntpin|ntp|porting|ported|ports"),
        negative=(*PROCESS_TALK, *words("forwarding|ethernet|router|usb")),
    ),
    PatternSpec(
        name="switch_carrier",
        regex=(
            r"\b(?:switch|switching|switched|move|moving|going|leaving|transfer|transferring"
            rf"|take|taking|bring|bringing)\s{{1,3}}{GAP4}(?:to|over to|from)\s{{1,3}}"
            rf"{_PORT_TARGET}\b"
        ),
        score=0.45,
        anchors=words(
            "switch|switching|switched|move|moving|going|leaving|transfer|transferring|take"
            "|taking|bring|bringing"
        ),
    ),
    PatternSpec(
        name="keep_number",
        regex=(
            r"\b(?:keep|keeping|take|taking|bring|bringing)\s{1,3}(?:my|our|the same|his|her"
            r"|your|the)\s{1,3}(?:(?:phone|cell|mobile|existing|current)\s{1,3})?(?:number"
            r"|numbers|#)\b"
        ),
        score=0.45,
        anchors=words("keep|keeping|take|taking|bring|bringing"),
    ),
    PatternSpec(
        name="sim_change",
        regex=(
            rf"\b{_SIM_VERB}\s{{1,3}}{GAP4}{_SIM_NOUN}\b|\b{_SIM_NOUN}\s{{1,3}}{GAP2}{_SIM_VERB}\b"
            r"|\bsim[\s-]?swap\w{0,4}\b|\b(?:to|into)\s{1,3}(?:an\s{1,3})?e-?sim\b"
        ),
        score=0.45,
        anchors=words("sim|sims|esim|esims|e|simcard|simswap"),
        negative=words(
            "do you support|does it support|supports|support esim|compatible|compatibility"
            "|which phones|what phones|sim tray|ejector|how much|cost|price"
        ),
    ),
)

PORT_OR_SIM = RecognizerSpec(
    name="port_or_sim",
    category=Category.PORT_OR_SIM,
    patterns=_PORT_PATTERNS,
    context=words(
        "my|our|his|her|mine|line|lines|number|phone|account|customer|cx|port|porting"
        "|transfer pin|keep|account number|pin"
    ),
    negative=(
        *PROCESS_TALK,
        *words("switch to your|switching to your|to your service|become a customer|join you"),
    ),
    context_entities=(EntityKind.PHONE,),
)
