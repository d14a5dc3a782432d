"""The recall fallbacks, the change rule for identifiers and the speed shortcuts (issue 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.domain.detection import Category, Message, Role, build_detector
from bot.domain.detection._prefix import longest_digit_run, with_first_char_check
from bot.domain.detection._text import normalize
from bot.domain.detection._words import TOKEN, WordList, WordScan

DETECTOR = build_detector()
DATA = Path(__file__).resolve().parents[2] / "data"
C = Category
A, CU = Role.AGENT, Role.CUSTOMER

# Phrasings no rule family covers; the fallback of the category must find them (R1, R2, R4).
FALLBACK_HITS = [
    ("my bil says i owe 90 again??", CU, C.USAGE_BILLING),
    ("why do lines 2 and 3 show different plans", CU, C.USAGE_BILLING),
    ("The 7 minute call on 3/14 at 9:10 PM went to a number in Ohio.", A, C.CALL_DETAIL),
    ("Acct 4471-20938, verified by PIN, asked about the late fee", A, C.ACCOUNT_IDENTIFIERS),
    ("is the account under her name or mine?", CU, C.ACCOUNT_IDENTIFIERS),
    ("how do I pick a PIN for my account?", CU, C.CREDENTIAL_CHANGE),
    ("I want my statements to go to my office from now on", CU, C.ADDRESS_CHANGE),
    ("my esim stopped working after I got a new watch, can you reissue it?", CU, C.PORT_OR_SIM),
    ("she wants to start a port to another provider, what does she need?", A, C.PORT_OR_SIM),
]

# Process talk without a customer, other services' passwords, port-in questions (R1, R3).
BENIGN = [
    ("reminder: port-out fraud training moved to Friday, see calendar invite", A),
    ("anyone know how to reset the admin password on the new gateways?", A),
    ("is 1-800-555-0100 still the number for the porting desk?", A),
    ("I forgot my Hulu password, can you reset it?", CU),
    ("if I switch to your service from Verizon can I keep my number?", CU),
    ("my number is 555-201-3344, call me back when the outage is fixed", CU),
    ("where do I find my account number? is it on the bill?", CU),
    ("Explained the spam call filter app. Did not review any call records.", A),
]


@pytest.mark.parametrize(("text", "role", "category"), FALLBACK_HITS)
def test_fallback_finds_account_specific_requests(text: str, role: Role, category: C) -> None:
    """An own-account reference plus the category's vocabulary and a cue is found (R1, R4)."""
    findings = DETECTOR.analyze(text, role=role).findings
    fallback = [f for f in findings if f.explanation.detector == f"fallback_{category.value}"]
    assert fallback, [f.explanation for f in findings]
    assert all(f.score >= 0.5 for f in fallback)


@pytest.mark.parametrize(("text", "role"), BENIGN)
def test_general_talk_stays_benign(text: str, role: Role) -> None:
    """Agents' process talk, other services and callbacks are not CPNI (R1, R3)."""
    assert DETECTOR.analyze(text, role=role).findings == ()


def test_fallback_needs_a_request_cue() -> None:
    """A bare own-account mention without a cue scores below the threshold."""
    text = "my bill"
    assert DETECTOR.analyze(text).findings == ()
    assert C.USAGE_BILLING in DETECTOR.analyze("my bil says i owe 90?").categories


def test_fallback_does_not_run_when_a_rule_found_the_category() -> None:
    """A category already found by a rule family gets no fallback finding."""
    findings = DETECTOR.analyze("what number called me at 3am?").findings
    assert {f.category for f in findings} == {C.CALL_DETAIL}
    assert not any(f.explanation.detector.startswith("fallback_") for f in findings)


def test_fallback_explanations_carry_no_message_text() -> None:
    """A fallback's explanation names recognizer, pattern and cue words, never the text."""
    text = "Acct 4471-20938, verified by PIN, asked about the late fee"
    for finding in DETECTOR.analyze(text, role=A).findings:
        assert "4471" not in str(finding.explanation)
        assert "late fee" not in str(finding.explanation)


def test_identifier_describing_a_change_is_not_reported() -> None:
    """A text saying the PIN was changed is a credential change only (R4, not R1)."""
    found = DETECTOR.analyze("got an email saying my account password was changed").categories
    assert found == {C.CREDENTIAL_CHANGE}


def test_stated_pin_next_to_a_change_is_reported() -> None:
    """A PIN stated with its value is still an identifier next to a change (section 2)."""
    found = DETECTOR.analyze("please change my account PIN from 4827 to a new one").categories
    assert found == {C.CREDENTIAL_CHANGE, C.ACCOUNT_IDENTIFIERS}


@pytest.mark.parametrize("name", ["cpni_dev.jsonl", "cpni_holdout.jsonl", "cpni_blind_b.jsonl"])
def test_settling_a_category_keeps_categories_and_disclosure(name: str) -> None:
    """Skipping later rule families of a decided category changes no decision."""
    reference = build_detector()
    reference._settle = False  # white-box: run every rule family
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        msg = Message(row["text"], Role(row["author_role"]), row["channel"])
        fast, full = DETECTOR.analyze_message(msg), reference.analyze_message(msg)
        assert fast.categories == full.categories, row["id"]
        assert fast.disclosure == full.disclosure, row["id"]
        assert fast.signals == full.signals, row["id"]


@pytest.mark.parametrize(
    "text",
    [
        "call me back at 555-201-3344",
        "re: my e-bill?  the e - bill says $40 /mo",
        "how do i reset my PIN",
        "Customer's cx called in. Re:billing",
        "",
    ],
)
def test_whole_message_phrase_lookup_equals_token_scan(text: str) -> None:
    """The tokenless lookup finds the same phrases as the token scan."""
    phrases = ["call me", "call me back", "re:", "e-bill", "/mo", "$", "how do i", "cx", "?"]
    words = WordList(phrases)
    norm = normalize(text)
    tokens = TOKEN.findall(norm.text)

    def occurs(phrase: str) -> bool:
        wanted = TOKEN.findall(phrase)
        return any(tokens[i : i + len(wanted)] == wanted for i in range(len(tokens)))

    expected = {p for p in phrases if occurs(p)}
    assert words.phrases_in(norm.text, norm.tokens) == expected
    assert WordScan(words, norm).phrases_within(0, len(norm.text)) == expected


def test_digit_run_and_first_character_prefilters() -> None:
    """Account formats get a digit-run prefilter and a case-aware first-character check."""
    assert longest_digit_run(r"\d{6,14}") == 6
    assert longest_digit_run(r"[a-z]{1,4}-?\d{6,12}") == 6
    assert longest_digit_run(r"A|\d{9}") == 0
    checked = with_first_char_check(r"(?<![\w-])(?i:ACM-\d{7})(?![\w-])")
    assert checked.startswith("(?=[Aa])")
