"""Built-in English recognizer for usage, bill contents, plan and features (R1).

What the customer used, what is on their bill and what their line has is CPNI
(47 U.S.C. 222(h)(1)); the price list of the carrier's plans is not. Patterns therefore ask
for an owner ("my bill", "your usage", "the customer's plan") or a request about one's own
account, and pricing and how-to words cancel a match.
"""

from __future__ import annotations

from bot.domain.detection._entities import EntityKind
from bot.domain.detection._vocab import GAP2, GAP3, OWNER, OWNER_NOT_OUR, words
from bot.domain.detection.model import Category
from bot.domain.detection.recognizer import PatternSpec, RecognizerSpec

__all__ = ["USAGE_BILLING"]

_BILL_NOUNS = (
    r"(?:bill|bills|billing statement|statement|statements|invoice|invoices|charges?|balance"
    r"|amount due|usage|overage|overages|fees?|late fee|total due|payment amount|monthly charges?"
    r"|monthly payment|monthly bill|monthly cost|monthly rate)"
)
_BILL_ANCHORS = words(
    "bill|bills|billing|statement|statements|invoice|invoices|charge|charges|balance|amount"
    "|usage|overage|overages|fee|fees|total|payment|monthly"
)
# Paying, viewing or receiving a bill is a how-to question, not its contents.
_HOW_TO = words(
    "pay|paying|payment method|card|autopay|auto-pay|auto pay|paperless|e-bill|ebill|paper"
    "|online|app|portal|website|log in|login|sign in|view|download|due date|mail|mailed"
    "|receive|received|address|email|send my bill|send my bills|send the bill|sent to"
    "|to my new|new place|is ready|lost|get sent|gets sent|change where"
)
_PRICING = words(
    "per month|/mo|a month|starting at|starts at|start at|new customers|offer|offers|deal"
    "|deals|promo code|sign up|limited time|learn more|today and save|how much is"
    "|how much does|price of|pricing|just asking|in general|before i sign|asking before"
    "|thinking of|considering"
)
_USAGE_NOUNS = (
    r"(?:data|minutes|mins|texts|messages|calls|gb|gigs|mb|hotspot|international minutes"
    r"|long distance)"
)
_ON_ACCOUNT_NOUNS = (
    r"(?:bill|balance|amount due|charges?|fees?|usage|statement|past due|total|discount|promo"
    r"|promotion|credits?|plan|features|services|add-ons|minutes|data)"
)

_PATTERNS = (
    PatternSpec(
        name="owned_bill",
        regex=rf"\b{OWNER}\s{{1,3}}{GAP2}{_BILL_NOUNS}\b",
        score=0.45,
        anchors=_BILL_ANCHORS,
        negative=_HOW_TO,
    ),
    PatternSpec(
        name="on_my_account",
        also=words(
            "bill|balance|amount|charge|charges|fee|fees|usage|statement|past|total"
            "|discount|promo|promotion|credit|credits|plan|features|services|add|minutes"
            "|data"
        ),
        regex=(
            rf"\b{_ON_ACCOUNT_NOUNS}\s{{1,3}}(?:are\s{{1,3}}|is\s{{1,3}})?(?:(?:active|enabled"
            r"|turned on|included|showing|listed|currently)\s{1,3})?(?:on|for|of)\s{1,3}"
            r"(?:my|our|your|his|her|their|the customer'?s|this|the)\s{1,3}(?:account|acct"
            r"|line|lines|number|plan)\b"
        ),
        score=0.6,
        anchors=words("account|acct|line|lines|number|plan"),
        negative=(*_HOW_TO, *_PRICING),
    ),
    PatternSpec(
        name="asked_for_billing",
        regex=(
            r"\b(?:asked|asking|asks|wants|wanted|requested|requesting|requests|needs|needed)"
            r"\s{1,3}(?:for\s{1,3}|about\s{1,3})?(?:the\s{1,3}|her\s{1,3}|his\s{1,3}|their"
            r"\s{1,3}|a\s{1,3}|my\s{1,3})?(?:current\s{1,3}|total\s{1,3})?(?:balance|bill amount"
            r"|usage|charges|breakdown|bill breakdown|minutes used|data usage|minutes"
            r"|itemized bill)\b"
        ),
        score=0.7,
        anchors=words("balance|bill|usage|charges|breakdown|minutes|itemized"),
    ),
    PatternSpec(
        name="charged_me",
        regex=(
            r"\b(?:(?:i|we|me|he|she|they|customer|cx)\s{1,3}(?:was|were|am|are|got|get|gets"
            r"|been|being|have been|has been|keep getting|keeps getting|'m|'ve been|is|is being)"
            rf"\s{{1,3}}{GAP2}(?:charged|billed|overcharged|double charged|double-charged"
            r"|double billed|charging)|(?:was|were|am|are|is|have|has)\s{1,3}(?:i|we|he|she|they"
            r"|customer|cx)\s{1,3}(?:been\s{1,3}|being\s{1,3}){0,2}(?:charged|billed|overcharged)"
            r"|(?:charg(?:e|ed|ing)|bill(?:ed|ing))\s{1,3}(?:me|us|him|her|them|my|our)"
            r"|(?:i|we)'?(?:m|re)\s{1,3}paying)\b"
        ),
        score=0.75,
        anchors=words("charged|billed|overcharged|charging|charge|billing|paying"),
        negative=words("will|would|if|gonna|going to|do i get|does it|to pay"),
    ),
    PatternSpec(
        name="this_charge",
        regex=(
            r"\b(?:what|what's|whats|why|explain)(?:\s{1,3}(?:is|was|are|were|'s))?\s{1,3}"
            r"(?:this|that|these|those)\s{1,3}(?:\$?\d[\d.,]{0,12}\s{1,3})?(?:[\w-]{1,20}+\s{1,3})?"
            r"(?:charges?|fees?|line items?|items?|credits?|surcharges?|amounts?|deductions?"
            r"|payments?)\b"
        ),
        score=0.6,
        anchors=words(
            "charge|charges|fee|fees|item|items|credit|credits|surcharge|surcharges|amount"
            "|amounts|deduction|deductions|payment|payments"
        ),
    ),
    PatternSpec(
        name="how_much_owed",
        regex=(
            r"\bhow\s{1,3}much\s{1,3}(?:do|does|did)\s{1,3}(?:i|we|he|she|they|my\s{1,3}\w{1,20}+)"
            r"\s{1,3}owe\b|\bwhat\s{1,3}(?:do|does)\s{1,3}(?:i|we)\s{1,3}owe\b"
        ),
        score=0.75,
        anchors=("owe",),
    ),
    PatternSpec(
        name="how_much_used",
        regex=rf"\bhow\s{{1,3}}(?:much|many)\s{{1,3}}{GAP2}{_USAGE_NOUNS}\b",
        score=0.45,
        anchors=words("much|many"),
        negative=words(
            "need|should|would|recommend|enough for|typical|average|does the|do you|include"
            "|includes|included|comes with|come with|offer|plans|cost|price|unlimited plan"
            "|per month|does it|can i get|do i get|will|take|uses|use up|that number"
            "|this number|same number|sent him|sent her|sent me|texted|called"
        ),
    ),
    PatternSpec(
        name="owned_usage",
        regex=(
            rf"\b{OWNER}\s{{1,3}}{GAP2}(?:usage|data usage|data use|minutes used|usage history"
            r"|usage report|data consumption|consumption|overage charges?|roaming charges?"
            r"|usage charges?|data overage)\b"
        ),
        score=0.6,
        anchors=words("usage|use|used|consumption|overage|charges|charge"),
        negative=words(
            "how do i check|how can i check|where can i see|where do i see|widget|settings"
            "|track|monitor"
        ),
    ),
    PatternSpec(
        name="what_plan_on",
        regex=(
            r"\b(?:what|which|what's|whats)\s{1,3}(?:[\w']{1,20}+\s{1,3}){0,2}?"
            r"(?:plan|plans|package|tier|speed tier|features|services|add-ons|addons|add ons"
            r"|options|lines|devices|promotions?|discounts?|speed)\s{1,3}(?:am i|are we|do i|do we"
            r"|is he|is she|is my|are my|is on|are on|i have|i'm|im|i am|does my|does our"
            r"|is this line|is the line|on my|on our|does the customer|does cx|is the customer"
            r"|is cx|are you showing|do you show|do you have me|do you have us|you have me"
            r"|you have us|he has|she has|am i paying|i'm paying|i pay|she's on|he's on|they're on"
            r"|she is on|he is on|they are on|i'm on|im on|we're on|you're on|cust is on"
            r"|cx is on|customer is on|is she on|is he on|is cust on|is the customer on)\b"
        ),
        score=0.75,
        anchors=words(
            "plan|plans|package|tier|features|services|add|addons|options|lines|devices"
            "|promotion|promotions|discount|discounts|speed"
        ),
        negative=words("offer|offers|available|sell|have for|for new|business"),
    ),
    PatternSpec(
        name="is_on_plan",
        regex=(
            r"\b(?:i'm|im|i am|we're|we are|cx is|customer is|cust is|she's|he's|she is|he is"
            r"|they're|they are|you're|you are|line is|account is)\s{1,3}(?:currently\s{1,3}"
            r"|still\s{1,3})?on\s{1,3}(?:the|a|an|our|my|his|her)\s{1,3}"
            rf"{GAP3}(?:plan|package|tier|promo|promotion|contract)\b"
        ),
        score=0.6,
        anchors=words("plan|package|tier|promo|promotion|contract"),
        negative=_PRICING,
    ),
    PatternSpec(
        name="paying_for",
        regex=(
            r"\bwhat\s{1,3}(?:am i|are we|is he|is she)\s{1,3}(?:paying|being charged|charged"
            r"|billed)\s{1,3}for\b"
        ),
        score=0.75,
        anchors=words("paying|charged|billed"),
    ),
    PatternSpec(
        name="owned_plan",
        regex=(
            rf"\b{OWNER_NOT_OUR}\s{{1,3}}(?:(?:current|existing|old|monthly|internet|phone|cell"
            r"|mobile|wireless|tv|cable|rate|data|service|family|unlimited)\s{1,3})?"
            r"(?:plan|package|features|subscription|services|add-ons|addons|promo|promotion"
            r"|discount|contract)\b"
        ),
        score=0.45,
        anchors=words(
            "plan|package|features|subscription|services|add|addons|promo|promotion|discount"
            "|contract"
        ),
        negative=(*_PRICING, *words("visit|online|app|website|portal")),
    ),
    PatternSpec(
        name="feature_on_line",
        also=words(
            "voicemail|call|caller|international|roaming|hotspot|three|conference|data"
            "|premium|visual|wifi|wi|spam|insurance|device|static|modem|dvr"
        ),
        regex=(
            r"\b(?:voicemail|call waiting|call forwarding|caller id|international calling"
            r"|international roaming|roaming|hotspot|three-way calling|conference calling"
            r"|data block|premium sms|visual voicemail|wifi calling|wi-fi calling|call blocking"
            r"|spam blocking|insurance|device protection|static ip|modem rental|dvr"
            r"|premium channels)\b(?:\s{1,3}[\w']{1,20}+){0,4}?\s{1,3}(?:on|for|to|from)\s{1,3}"
            r"(?:my|our|your|his|her|their|the\s{1,3}customer'?s)\s{1,3}(?:line|lines|account"
            r"|plan|number|service|bill)\b"
        ),
        score=0.6,
        anchors=words("line|lines|account|plan|number|service|bill"),
        negative=words("how do|how to|set up|setup|instructions|guide"),
    ),
    PatternSpec(
        name="bill_amount",
        regex=(
            r"\b(?:bill|balance|statement|invoice|total|amount due|charges?|overage|credit"
            r"|refund|roaming|past due|recurring|mrc)\b"
        ),
        score=0.5,
        anchors=words(
            "bill|balance|statement|invoice|total|amount|charge|charges|overage|credit|refund"
            "|roaming|due|recurring|mrc"
        ),
        requires=(EntityKind.MONEY,),
        negative=(*_PRICING, *words("plans|card|in general")),
    ),
    PatternSpec(
        name="usage_amount",
        regex=r"\b(?:used|usage|use|left|remaining|over|consumed|went over)\b",
        score=0.5,
        anchors=words("used|usage|use|left|remaining|over|consumed"),
        requires=(EntityKind.DATA_AMOUNT,),
        negative=(*_PRICING, *words("plans|need|recommend|enough")),
    ),
)

USAGE_BILLING = RecognizerSpec(
    name="usage_billing",
    category=Category.USAGE_BILLING,
    patterns=_PATTERNS,
    context=words(
        "why|what|how much|higher|high|increase|increased|went up|gone up|jumped|doubled"
        "|more than|wrong|incorrect|overcharged|double charged|charged|charge|charges"
        "|line item|breakdown|itemized|itemize|explain|dispute|credit|refund|adjustment"
        "|discrepancy|prorated|proration|roaming|international|overage|late fee|fee|fees"
        "|taxes|surcharge|this month|last month|previous|cycle|owe|total|amount|shows|showing"
        "|says|include|includes|included|details|change|upgrade|downgrade|switch|remove|add"
        "|speed|which|current|used|left|remaining|so far|consumed|still|confirm|check"
        "|look at|look into|review|did i use|did we use|have i used|have we used|did he use"
        "|did she use|i've used|i have used|we've used|tell me|give me|can you|could you"
        "|need to know|want to know|pull up|let me know|find out"
    ),
    context_entities=(EntityKind.MONEY, EntityKind.DATA_AMOUNT),
    disclosure_capable=True,
)
