"""Built-in English recognizers for account identifiers and credential changes.

Account information (47 CFR 64.2003(a)) is the account number, the numbers and addresses on
the account and the PIN; a request to read them out, or an agent stating them, is sensitive.
Credential changes (R4 a-c) are requests to create, change, reset or recover the account PIN,
password, online login or back-up answer; a Wi-Fi or streaming-app password is not one.
"""

from __future__ import annotations

from bot.domain.detection._entities import EntityKind
from bot.domain.detection._vocab import GAP2, GAP3, GAP4, words
from bot.domain.detection.model import Category
from bot.domain.detection.recognizer import ANY_DIGIT, PatternSpec, RecognizerSpec

__all__ = [
    "ACCOUNT_IDENTIFIERS",
    "ACCOUNT_NUMBER_CONTEXT",
    "ACCOUNT_NUMBER_NEGATIVE",
    "CREDENTIAL_CHANGE",
    "NOT_ACCOUNT_CREDENTIAL",
]

NOT_ACCOUNT_CREDENTIAL = words(
    "wifi|wi-fi|wireless network|router|modem|network|ssid|hotspot|gateway|extender|mesh|eero"
    "|netgear|wps|netflix|hulu|disney|hbo|spotify|youtube|apple id|icloud|itunes|google|gmail"
    "|yahoo|outlook|hotmail|facebook|instagram|amazon|xbox|playstation|psn|steam|roku"
    "|firestick|smart tv|printer|laptop|computer|windows|vpn|remote desktop|office|corporate"
    "|training|shared|pinned|channel|slack|door|garage|atm|debit|bank|bluetooth|gateways|routers"
    "|modems|admin password|okta|sso|genesys|citrix|workday|salesforce|helpdesk|peacock"
    "|paramount|max app|prime video|apple tv|espn|sling|youtube tv|pandora|venmo|paypal"
)
_CRED_NOUN = (
    r"(?:pin|pins|pin number|pin code|password|passwords|passcode|pass code|passwd|pw|pwd"
    r"|security questions?|security answers?|secret question|secret answer|backup question"
    r"|back-up question|backup answer|verbal password|security pin|account pin|login|log-in"
    r"|logins|username|user name|online account|web account|portal account|account access"
    r"|two-factor|2fa|mfa|2-step|two-step)"
)
_CRED_ANCHORS = words(
    "pin|pins|password|passwords|passcode|pass|passwd|pw|pwd|security|secret|backup|back"
    "|login|log|logins|username|user|account|two|2fa|mfa|2"
)
_CRED_VERB = (
    r"(?:change|changes|changing|changed|reset|resets|resetting|update|updates|updating|updated"
    r"|forgot|forget|forgotten|forgetting|lost|lose|recover|recovering|retrieve|set up|setup"
    r"|setting up|create|creating|created|new|unlock|unlocked|remove|removed|removing|disable"
    r"|disabled|enable|enabled|add|adding|added|modify|modified|replace|replaced|locked out of"
    r"|don't remember|dont remember|can't remember|cant remember|cannot remember"
    r"|do not remember|don't know|dont know|register|sign up for|wrong|invalid|incorrect"
    r"|expired)"
)

_GAP5 = r"(?:(?:[\w'$/-]|\.(?=\w)){1,30}+\s{1,3}+){0,5}?"

_CREDENTIAL_PATTERNS = (
    PatternSpec(
        name="change_credential",
        also=words(
            "change|changes|changing|changed|reset|resets|resetting|update|updates|updating"
            "|updated|forgot|forget|forgotten|forgetting|lost|lose|recover|recovering"
            "|retrieve|set|setup|setting|create|creating|created|new|unlock|unlocked|remove"
            "|removed|removing|disable|disabled|enable|enabled|add|adding|added|modify"
            "|modified|replace|replaced|locked|don|dont|can|cant|cannot|do|register|sign"
            "|wrong|invalid|incorrect|expired"
        ),
        regex=rf"\b{_CRED_VERB}\s{{1,3}}{GAP3}{_CRED_NOUN}\b",
        score=0.55,
        anchors=_CRED_ANCHORS,
    ),
    PatternSpec(
        name="credential_changed",
        also=words(
            "reset|changed|change|updated|expired|locked|forgotten|recovery|modified"
            "|removed|forgot|lost|can|cant|don|dont"
        ),
        regex=(
            rf"\b{_CRED_NOUN}\s{{1,3}}{_GAP5}(?:reset|changed|change|updated|expired|locked"
            r"|forgotten|recovery|reset link|modified|removed|forgot it|forgot them|lost it"
            r"|forgotten it|can't remember it|cant remember it|don't remember it"
            r"|dont remember it)\b"
        ),
        score=0.5,
        anchors=_CRED_ANCHORS,
        negative=words("notice|notification|alert sent|sent to"),
    ),
    PatternSpec(
        name="credential_failing",
        also=words("not|isn|isnt|doesn|doesnt|won|wont|is|incorrect|invalid|rejected|keeps|failed"),
        regex=(
            rf"\b{_CRED_NOUN}\s{{1,3}}{GAP4}(?:not working|isn't working|isnt working"
            r"|doesn't work|doesnt work|won't work|wont work|is wrong|incorrect|invalid"
            r"|rejected|not accepted|keeps failing|failed)\b"
        ),
        score=0.5,
        anchors=_CRED_ANCHORS,
        # An agent noting a failed verification attempt is not a credential change.
        negative=words(
            "x2|x3|attempt|attempts|twice|three times|auth|authentication|verification"
            "|did not confirm|didn't confirm|declined|not verified"
        ),
    ),
    PatternSpec(
        name="make_credential",
        regex=(
            r"\bmake\s{1,3}(?:my|our|the|his|her|their)\s{1,3}(?:account\s{1,3})?(?:pin"
            r"|password|passcode)\s{1,3}(?:longer|shorter|different|stronger|harder|more|less"
            r"|\d|something)"
        ),
        score=0.55,
        anchors=words("pin|password|passcode"),
    ),
    PatternSpec(
        name="locked_out",
        regex=(
            r"\blocked\s{1,3}out\s{1,3}of\s{1,3}(?:my|our|the|his|her|your)\s{1,3}(?:online"
            r"\s{1,3}|web\s{1,3})?(?:account|acct|portal|profile)\b"
        ),
        score=0.6,
        anchors=("locked",),
    ),
    PatternSpec(
        name="cannot_log_in",
        regex=(
            r"\b(?:can't|cant|cannot|can not|unable to|won't let me|wont let me|couldn't"
            rf"|couldnt|not able to)\s{{1,3}}{GAP2}(?:log ?in|login|sign ?in|signin|get into"
            r"\s{1,3}(?:my|the)\s{1,3}(?:account|portal|app)|access\s{1,3}(?:my|the|our)\s{1,3}"
            r"(?:online\s{1,3})?(?:account|portal|acct))\b"
        ),
        score=0.45,
        anchors=words("log|login|sign|signin|access|into"),
    ),
)

CREDENTIAL_CHANGE = RecognizerSpec(
    name="credential_change",
    category=Category.CREDENTIAL_CHANGE,
    patterns=_CREDENTIAL_PATTERNS,
    context=words(
        "my|our|your|his|her|account|online|portal|app|customer|cx|reset link|can't|cant"
        "|please|help|how do i|need|want|forgot|password|pin|reset|locked|security|verify"
    ),
    negative=NOT_ACCOUNT_CREDENTIAL,
)

_ID_NOUN = (
    r"(?:account number|acct number|acct #|account #|account no|pin|pin number|passcode"
    r"|security answer|account pin|security pin|account password|answer to (?:my|the)"
    r" security question)"
)

_IDENTIFIER_PATTERNS = (
    PatternSpec(
        name="pin_value",
        regex=(
            r"\b(?:pin|pin number|pin code|pin #|passcode|pass code|security code|security pin"
            r"|account pin|verbal password|secret code|transfer pin|port pin|port-out pin)"
            r"\s{0,3}(?:number|code|no\.?|#)?\s{0,3}(?:is|was|=|:|-|should be|would be|of|as|from)?"
            r"\s{0,3}(?:is\s{1,3}|was\s{1,3})?\d(?:[\s-]?\d){3,7}(?!\d)"
        ),
        score=0.85,
        anchors=words("pin|passcode|pass|security|password|secret"),
        also=(ANY_DIGIT,),
        negative=NOT_ACCOUNT_CREDENTIAL,
    ),
    PatternSpec(
        name="password_value",
        regex=(
            r"\b(?:password|pw|pwd|passwd|security answer|secret answer)\s{0,3}(?:is|was|=|:)"
            r"\s{0,3}(?=[^\s\d]{0,30}\d)[^\s]{3,40}"
        ),
        score=0.6,
        anchors=words("password|pw|pwd|passwd|answer"),
        negative=NOT_ACCOUNT_CREDENTIAL,
    ),
    PatternSpec(
        name="on_file",
        also=words("on|of|associated|tied|linked|attached|registered|listed|have"),
        regex=(
            r"\b(?:on file|on the account|on my account|on our account|on your account"
            r"|on his account|on her account|on the acct|on record|of record"
            r"|(?:associated with|tied to|linked to|attached to|registered to|registered on"
            r"|listed on)\s{1,3}(?:my|the|our|your|this|his|her)\s{1,3}(?:account|acct|line)"
            r"|(?:you|you guys|do you) have (?:for|on) (?:me|us|him|her))\b"
        ),
        score=0.4,
        anchors=words("file|account|acct|record|line|have"),
        negative=words(
            "card|credit card|payment method|debit|bank|send|sending|sent|emailed|texted|code"
            "|link|notification|notify|verification|verified|otp|mail it|mail to|email it"
            "|offered|change|changing|changed|update|updating|updated|new|replace|text|texts"
            "|confirmation|you'll get|will be sent|a code|set up|setup|create|never"
            "|edit|reset|can i have|can i get your|could i have|may i have|please provide"
            "|mailed|stays|per policy"
            "|to get started|to verify|services|features|plan|charges|fees|balance|amount"
            "|discount|usage"
        ),
    ),
    PatternSpec(
        name="read_out_identifier",
        also=words("what|whats|which|tell|give|read|remind|look"),
        regex=(
            r"\b(?:what|what's|whats|which|tell me|give me|read me|remind me of|look up)"
            rf"\s{{1,3}}(?:is\s{{1,3}}|was\s{{1,3}}|are\s{{1,3}})?{GAP2}(?:my|our|the|his|her)"
            rf"\s{{1,3}}{_ID_NOUN}\b"
            rf"|\b(?:what|which)\s{{1,3}}{_ID_NOUN}(?:\s{{1,3}}and\s{{1,3}}(?:the\s{{1,3}})?"
            r"(?:pin|passcode|transfer pin))?\s{1,3}(?:do|should|is|was|did|does)\b"
        ),
        score=0.75,
        anchors=words("account|acct|pin|passcode|security|password|answer|transfer"),
        negative=words("where do i find|where can i find|where is|on the bill|on my bill|printed"),
    ),
    PatternSpec(
        name="asked_for_identifier",
        also=words(
            "asked|asking|asks|wants|wanted|requested|requesting|requests|needs|needed|need"
        ),
        regex=(
            r"\b(?:asked|asking|asks|wants|wanted|requested|requesting|requests|needs|needed"
            r"|need)\s{1,3}(?:for\s{1,3}|us to read back\s{1,3}|to know\s{1,3})?(?:the\s{1,3}"
            r"|her\s{1,3}|his\s{1,3}|their\s{1,3}|my\s{1,3})?(?:account number|acct number"
            r"|acct #|account pin|email on file|address on file|email address on|service address"
            r"|contact number|pin on the account)\b"
        ),
        score=0.7,
        anchors=words("account|acct|email|address|service|contact|pin"),
    ),
)

ACCOUNT_IDENTIFIERS = RecognizerSpec(
    name="account_identifiers",
    category=Category.ACCOUNT_IDENTIFIERS,
    patterns=_IDENTIFIER_PATTERNS,
    context=words(
        "email|e-mail|email address|phone number|number|mobile number|cell number"
        "|contact number|address|service address|billing address|mailing address|name|pin"
        "|account number|authorized user|authorized users|contact|contact info|date of birth"
        "|dob|last four|what|which|confirm|verify|tell me|correct|is it"
    ),
    context_entities=(EntityKind.EMAIL, EntityKind.PHONE, EntityKind.STREET),
    disclosure_capable=True,
)

ACCOUNT_NUMBER_CONTEXT = words(
    "account|acct|acc|a/c|account number|acct#|acct #|account #|acct no|account no"
    "|customer number|customer id|billing account|ban|account id|cust id"
)
ACCOUNT_NUMBER_NEGATIVE = words(
    "ticket|case|order|tracking|confirmation|reference|ref|po|serial|imei|iccid|zip|routing"
    "|card|credit card|claim|rma|work order|job|model|sku|invoice number|meid|mac"
)
