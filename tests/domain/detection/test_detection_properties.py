"""Hypothesis properties of the detector: it never crashes and never leaks text (R31)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.detection import Message, Role, build_detector, decide_thread

DETECTOR = build_detector()
TEMPLATES = [
    "what number called me at {d} last night? it was {w}",
    "my account number is {d} and my pin is {p}, {w}",
    "I forgot my PIN {w}, please reset it, my number is {d}",
    "the {w} charge of ${p}.00 on my bill, account {d}",
    "please change my email to {w}@example.com, acct {d}",
    "port my number {d} to {w} please, transfer pin {p}",
]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_no_input_crashes_the_detector(text: str) -> None:
    """Any Unicode text is analysed without an exception and with spans inside the text."""
    for role in Role:
        for finding in DETECTOR.analyze(text, role=role).findings:
            assert 0 <= finding.start <= finding.end <= len(text)
            assert 0.0 <= finding.score <= 1.0


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="0123456789-(). +\n", max_size=2000))
def test_digit_and_separator_runs_do_not_crash(text: str) -> None:
    """Digit runs and repeated separators (phone-number bait) are handled without error."""
    DETECTOR.analyze(text)


@settings(max_examples=200, deadline=None)
@given(
    template=st.sampled_from(TEMPLATES),
    digits=st.from_regex(r"[1-9]\d{8,11}", fullmatch=True),
    pin=st.from_regex(r"[1-9]\d{5}", fullmatch=True),
    word=st.from_regex(r"zq[a-z]{6,10}", fullmatch=True),
)
def test_explanations_never_contain_message_digits_or_words(
    template: str, digits: str, pin: str, word: str
) -> None:
    """Reasons and audit dicts hold detector vocabulary only, never the message's own values."""
    text = template.format(d=digits, p=pin, w=word)
    decision = decide_thread([Message(text, Role.AGENT), Message(text)], detector=DETECTOR)
    assert decision.sensitive
    dumped = json.dumps({"audit": decision.to_audit(), "reasons": decision.reasons()})
    for secret in (digits, pin, word):
        assert secret not in dumped
