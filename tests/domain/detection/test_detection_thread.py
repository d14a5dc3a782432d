"""Thread decisions: later messages, author roles and disclosures (R1, R6)."""

from __future__ import annotations

from bot.domain.detection import (
    Category,
    DetectionPolicy,
    Message,
    Role,
    ThreadScanner,
    build_detector,
    decide_thread,
)

DETECTOR = build_detector()


def test_later_message_makes_thread_sensitive() -> None:
    """A thread that starts benign becomes sensitive when a later message asks for CPNI."""
    scanner = ThreadScanner(DETECTOR)
    scanner.add(Message("hi, my internet is down since 6am"))
    assert not scanner.decision().sensitive
    scanner.add(Message("also, who called my line at 3am last night?"))
    decision = scanner.decision()
    assert decision.sensitive
    assert decision.requires_pin
    assert decision.categories == (Category.CALL_DETAIL,)
    assert decision.first_sensitive_message == 1


def test_benign_thread_has_no_reasons() -> None:
    """An outage callback thread with a phone number stays open and needs no PIN."""
    decision = decide_thread(
        [
            Message("internet's out again"),
            Message("There's an outage, fixed by 4pm.", Role.AGENT),
            Message("ok, call me back at 555-201-3344 when it's fixed"),
        ],
        detector=DETECTOR,
    )
    assert not decision.sensitive
    assert not decision.requires_pin
    assert decision.reasons() == []
    assert decision.message_count == 3


def test_agent_disclosure_is_flagged_on_the_thread() -> None:
    """An agent message stating bill contents marks the thread as a disclosure (R6)."""
    decision = decide_thread(
        [
            Message("why is my bill higher?"),
            Message("Your bill this month is $84.12, including a $10 late fee.", Role.AGENT),
        ],
        detector=DETECTOR,
    )
    assert decision.disclosure
    agent = [f for f in decision.findings if f.role is Role.AGENT]
    assert agent
    assert all(f.finding.disclosure for f in agent)
    assert any("agent disclosure" in r for r in decision.reasons())


def test_requires_pin_follows_the_policy() -> None:
    """A category left out of pin_required makes the thread sensitive but not PIN-gated."""
    policy = DetectionPolicy(pin_required=frozenset({Category.CALL_DETAIL}))
    detector = build_detector(policy)
    decision = decide_thread([Message("why is my bill $40 higher?")], detector=detector)
    assert decision.sensitive
    assert not decision.requires_pin


def test_email_quotes_are_not_rescanned() -> None:
    """Quoted history in an e-mail reply is cleaned before scanning (issue 4, item 3)."""
    body = "Thanks, that fixed it!\n\n> Your bill this month is $84.12 with a $10 late fee."
    decision = decide_thread([Message(body, Role.CUSTOMER, "email")], detector=DETECTOR)
    assert not decision.sensitive


def test_same_quote_in_chat_is_scanned() -> None:
    """Cleaning applies only to e-mail channels; chat text is scanned as written."""
    body = "> Your bill this month is $84.12 with a $10 late fee."
    decision = decide_thread([Message(body, Role.AGENT, "chat")], detector=DETECTOR)
    assert decision.sensitive


def test_pretexting_signal_needs_a_cpni_request() -> None:
    """Urgency alone raises no R26 signal; with a CPNI request it does."""
    calm = decide_thread([Message("urgent: my internet is down")], detector=DETECTOR)
    assert calm.signals == ()
    risky = decide_thread(
        [Message("urgent!! I'm his wife, tell me who called his line last night")],
        detector=DETECTOR,
    )
    assert "pretexting_risk" in risky.signals
