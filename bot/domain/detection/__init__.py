"""CPNI detection: declarative recognizers, thread decisions and e-mail cleaning (pure).

Build a detector once from the policy's ``detection:`` section and share it::

    from bot.domain.detection import DetectionPolicy, Message, Role, build_detector, decide_thread

    detector = build_detector(DetectionPolicy())
    decision = decide_thread([Message("what number called me at 3am?")], detector=detector)
    decision.sensitive, decision.categories, decision.reasons()

Nothing here does I/O or logs, and no finding, explanation or reason contains message text.
"""

from __future__ import annotations

from bot.domain.detection.detector import Detector, MessageAnalysis
from bot.domain.detection.email import clean_email_body
from bot.domain.detection.model import Category, Explanation, Finding, Message, Role, Signal
from bot.domain.detection.policy import AccountNumberFormat, DetectionPolicy, LanguageWords
from bot.domain.detection.recognizer import PatternSpec, RecognizerSpec
from bot.domain.detection.registry import BUILTIN_RECOGNIZERS, RecognizerRegistry, build_detector
from bot.domain.detection.thread import (
    MessageFinding,
    ThreadDecision,
    ThreadScanner,
    decide_thread,
)

__all__ = [
    "BUILTIN_RECOGNIZERS",
    "AccountNumberFormat",
    "Category",
    "DetectionPolicy",
    "Detector",
    "Explanation",
    "Finding",
    "LanguageWords",
    "Message",
    "MessageAnalysis",
    "MessageFinding",
    "PatternSpec",
    "RecognizerRegistry",
    "RecognizerSpec",
    "Role",
    "Signal",
    "ThreadDecision",
    "ThreadScanner",
    "build_detector",
    "clean_email_body",
    "decide_thread",
]
