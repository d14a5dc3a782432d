"""Table-driven tests of the built-in recognizers, one table per category (issue 4)."""

from __future__ import annotations

import pytest

from bot.domain.detection import Category, Role, build_detector

DETECTOR = build_detector()

C = Category


def _check(text: str, expected: set[Category], low: float, high: float, role: Role) -> None:
    findings = DETECTOR.analyze(text, role=role).findings
    assert {f.category for f in findings} == expected
    for f in findings:
        if f.category in expected:
            assert low <= f.score <= high


CALL_DETAIL = [
    ("what number called me at 3am", {C.CALL_DETAIL}, 0.8, 1.0),
    ("can you tell me who called my phone around 11:40 pm on saturday", {C.CALL_DETAIL}, 0.8, 1.0),
    ("I need a copy of my call log for March", {C.CALL_DETAIL}, 0.6, 1.0),
    ("which numbers did my husband call last week??", {C.CALL_DETAIL}, 0.8, 1.0),
    ("how long was my call to my mom on friday", {C.CALL_DETAIL}, 0.5, 1.0),
    ("did someone call me from 415 555 2671 yesterday afternoon?", {C.CALL_DETAIL}, 0.5, 1.0),
    ("call me back at 555-201-3344 about the outage", set(), 0.0, 1.0),
    ("what number should I call for billing questions?", set(), 0.0, 1.0),
    ("the customer who called in about the outage is calling again", set(), 0.0, 1.0),
    ("how do I clear my call log on android", set(), 0.0, 1.0),
]


@pytest.mark.parametrize(("text", "expected", "low", "high"), CALL_DETAIL)
def test_call_detail_table(text: str, expected: set[Category], low: float, high: float) -> None:
    """Requests for specific calls are call detail (R2); callbacks and support calls are not."""
    _check(text, expected, low, high, Role.CUSTOMER)


USAGE_BILLING = [
    ("why is my bill $40 higher this month?", {C.USAGE_BILLING}, 0.8, 1.0),
    ("what is this $12.40 charge on my statement?", {C.USAGE_BILLING}, 0.6, 1.0),
    ("how much data have I used so far this cycle", {C.USAGE_BILLING}, 0.8, 1.0),
    ("what plan am I on right now?", {C.USAGE_BILLING}, 0.75, 1.0),
    ("how much is the unlimited plan?", set(), 0.0, 1.0),
    ("how do I pay my bill online?", set(), 0.0, 1.0),
    ("what's the activation fee for a new line?", set(), 0.0, 1.0),
    ("how much data do I need for streaming 4k?", set(), 0.0, 1.0),
]


@pytest.mark.parametrize(("text", "expected", "low", "high"), USAGE_BILLING)
def test_usage_billing_table(text: str, expected: set[Category], low: float, high: float) -> None:
    """The customer's own bill, usage and plan are CPNI (R1); general pricing is not."""
    _check(text, expected, low, high, Role.CUSTOMER)


ACCOUNT_IDENTIFIERS = [
    ("my account number is 40012345", {C.ACCOUNT_IDENTIFIERS}, 0.6, 1.0),
    ("my pin is 4821", {C.ACCOUNT_IDENTIFIERS}, 0.85, 1.0),
    ("what email do you have on file for me?", {C.ACCOUNT_IDENTIFIERS}, 0.7, 1.0),
    ("what's my account number? I need it for the rebate form", {C.ACCOUNT_IDENTIFIERS}, 0.7, 1.0),
    ("ticket 40012345 was closed yesterday", set(), 0.0, 1.0),
    ("my account number is 11111111", set(), 0.0, 1.0),
    ("where do I find my account number? is it on the bill?", set(), 0.0, 1.0),
]


@pytest.mark.parametrize(("text", "expected", "low", "high"), ACCOUNT_IDENTIFIERS)
def test_account_identifiers_table(
    text: str, expected: set[Category], low: float, high: float
) -> None:
    """Account numbers, PINs and contact data on the account are account information."""
    _check(text, expected, low, high, Role.CUSTOMER)


CREDENTIAL_CHANGE = [
    ("I forgot my PIN, can you reset it?", {C.CREDENTIAL_CHANGE}, 0.8, 1.0),
    ("how do I change the password on my online account", {C.CREDENTIAL_CHANGE}, 0.8, 1.0),
    ("I'd like to change my security question", {C.CREDENTIAL_CHANGE}, 0.8, 1.0),
    ("help, locked out of my account online", {C.CREDENTIAL_CHANGE}, 0.6, 1.0),
    ("my router's wifi password doesn't work", set(), 0.0, 1.0),
    ("my netflix password isn't working on the tv box", set(), 0.0, 1.0),
    ("can someone pin the new escalation macro in this channel?", set(), 0.0, 1.0),
]


@pytest.mark.parametrize(("text", "expected", "low", "high"), CREDENTIAL_CHANGE)
def test_credential_change_table(
    text: str, expected: set[Category], low: float, high: float
) -> None:
    """Account PIN and password changes trigger R4; Wi-Fi and app passwords do not."""
    _check(text, expected, low, high, Role.CUSTOMER)


ADDRESS_CHANGE = [
    ("I moved last month, please update my mailing address", {C.ADDRESS_CHANGE}, 0.8, 1.0),
    ("please update my contact email to jane.d@example.net", {C.ADDRESS_CHANGE}, 0.8, 1.0),
    ("I want my statements sent to a different address from now on", {C.ADDRESS_CHANGE}, 0.7, 1.0),
    ("change my email preferences, I only want billing emails", set(), 0.0, 1.0),
    ("please unsubscribe me from your marketing emails", set(), 0.0, 1.0),
    ("update the address in my directory listing please", set(), 0.0, 1.0),
    ("I'm moving my router to the upstairs office", set(), 0.0, 1.0),
]


@pytest.mark.parametrize(("text", "expected", "low", "high"), ADDRESS_CHANGE)
def test_address_change_table(text: str, expected: set[Category], low: float, high: float) -> None:
    """Address-of-record changes trigger R4 (d); marketing preferences and listings (R3) do not."""
    _check(text, expected, low, high, Role.CUSTOMER)


PORT_OR_SIM = [
    ("I want to port my number to Verizon", {C.PORT_OR_SIM}, 0.75, 1.0),
    ("can you give me my number transfer pin", {C.PORT_OR_SIM}, 0.85, 1.0),
    ("I need a new SIM card, mine got damaged", {C.PORT_OR_SIM}, 0.8, 1.0),
    ("I'm switching to T-Mobile and want to keep my number", {C.PORT_OR_SIM}, 0.8, 1.0),
    ("Can you help me set up port forwarding for my Xbox?", set(), 0.0, 1.0),
    ("do your phones support eSIM?", set(), 0.0, 1.0),
    ("i'm switching to verizon because your internet is too slow", set(), 0.0, 1.0),
]


@pytest.mark.parametrize(("text", "expected", "low", "high"), PORT_OR_SIM)
def test_port_or_sim_table(text: str, expected: set[Category], low: float, high: float) -> None:
    """Port-outs and SIM changes on a line are R29 events; router ports and eSIM FAQs are not."""
    _check(text, expected, low, high, Role.CUSTOMER)


def test_agent_statement_is_a_disclosure() -> None:
    """An agent stating call detail is flagged as a disclosure (R6)."""
    analysis = DETECTOR.analyze(
        "I see an incoming call from (312) 555-0147 at 3:02 AM on 5/3 that lasted 14 minutes.",
        role=Role.AGENT,
    )
    assert analysis.categories == {C.CALL_DETAIL}
    assert analysis.disclosure


def test_agent_question_is_not_a_disclosure() -> None:
    """An agent asking for account data is not a disclosure of it."""
    analysis = DETECTOR.analyze("Can you confirm the email on file for me?", role=Role.AGENT)
    assert not analysis.disclosure


def test_directory_listing_alone_never_locks() -> None:
    """A published directory listing is not CPNI and only raises a signal (R3)."""
    analysis = DETECTOR.analyze("is my number 555-201-3344 listed in the directory?")
    assert analysis.findings == ()
    assert analysis.signals == {"directory_listing"}


def test_customer_stated_call_is_signalled() -> None:
    """A customer naming a call themselves is flagged for R9, not treated as verification."""
    analysis = DETECTOR.analyze("was there a call from 555-210-9988 to my phone on the 2nd?")
    assert analysis.categories == {C.CALL_DETAIL}
    assert "customer_supplied_call_detail" in analysis.signals


def test_agent_pin_hint_is_signalled() -> None:
    """An agent hinting that the PIN is a birth year is flagged (R8)."""
    analysis = DETECTOR.analyze("is your PIN your birth year maybe?", role=Role.AGENT)
    assert "pin_prompt_hint" in analysis.signals


def test_typographic_apostrophe_and_case_are_normalised() -> None:
    """NFKC and case folding let "WHAT\u2019S MY ACCOUNT NUMBER" match like plain text."""
    analysis = DETECTOR.analyze("WHAT\u2019S MY ACCOUNT NUMBER?")
    assert analysis.categories == {C.ACCOUNT_IDENTIFIERS}


def test_spans_point_into_the_original_text() -> None:
    """A finding's span indexes the caller's text even when normalisation changes length."""
    text = "\ufb01ne. my pin is 4821"
    finding = DETECTOR.analyze(text).findings[0]
    assert text[finding.start : finding.end].startswith("pin")
