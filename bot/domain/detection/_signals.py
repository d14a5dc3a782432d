"""Patterns for risk signals that never lock a thread on their own (R3, R8, R26)."""

from __future__ import annotations

import re

from bot.domain.detection.recognizer import compile_words

__all__ = [
    "DIRECTORY_ANCHORS",
    "DIRECTORY_WORDS",
    "PIN_PROMPT",
    "PIN_PROMPT_ANCHORS",
    "PRETEXTING",
    "PRETEXTING_ANCHORS",
]

# R3: published directory data (subscriber list information) is not CPNI.
DIRECTORY_ANCHORS = frozenset(
    [
        "directory",
        "directories",
        "white",
        "whitepages",
        "yellow",
        "411",
        "phone",
        "phonebook",
        "listed",
        "unlisted",
        "non",
        "nonpublished",
        "unpublished",
        "listing",
        "unlist",
    ]
)
DIRECTORY_WORDS = compile_words(
    [
        "directory",
        "directories",
        "white pages",
        "whitepages",
        "yellow pages",
        "411",
        "phone book",
        "phonebook",
        "directory assistance",
        "listed number",
        "unlisted",
        "non-published",
        "non published",
        "nonpublished",
        "unpublished",
        "listing",
        "listed in",
        "unlist",
    ]
)

_BIO = (
    r"(?:birth|birthday|born|birth year|dob|ssn|social|last (?:4|four)|account number|zip"
    r"|zip code|street|address|maiden|anniversary|phone number|house number|street number)"
)
# R8: an agent must not prompt for the PIN with biographical or account information.
PIN_PROMPT = re.compile(
    r"\b(?:is|was)\s{1,3}(?:your|the)\s{1,3}(?:pin|password|passcode|security answer)\s{1,3}"
    rf"(?:[\w']{{1,20}}+\s{{1,3}}){{0,4}}?{_BIO}\b"
    rf"|\b(?:is it|could it be|maybe it'?s|try|did you use)\s{{1,3}}(?:your|the)\s{{1,3}}{_BIO}\b"
    r"|\bhint\b[^.?!\n]{0,30}\b(?:pin|password|passcode)\b"
)

_RELATION = (
    r"(?:wife|husband|spouse|partner|son|daughter|mother|mom|father|dad|assistant|lawyer"
    r"|attorney|boss|employer|brother|sister|caregiver|guardian|girlfriend|boyfriend)"
)
# R26: third parties claiming authority, urgency, a new destination or a missing PIN.
PRETEXTING = re.compile(
    rf"\b(?:i'?m|i am)\s{{1,3}}(?:his|her|their|the account holder'?s)\s{{1,3}}{_RELATION}\b"
    r"|\bon behalf of\b"
    r"|\b(?:police|detective|officer|law enforcement|private investigator|investigator"
    r"|subpoena|court order)\b"
    r"|\b(?:urgent|urgently|emergency|asap|life or death)\b"
    r"|\bsend\s{1,3}(?:[\w']{1,20}+\s{1,3}){0,3}?to\s{1,3}(?:a|my|this)\s{1,3}(?:new|different"
    r"|other|personal)\s{1,3}(?:email|address|e-mail|number)\b"
    r"|\b(?:don'?t|do not) (?:have|know|remember) (?:the|my|his|her) pin\b"
    r"|\bwithout (?:the|a|my) pin\b"
)

# Tokens of which one must be present before the regexes above are worth running.
PIN_PROMPT_ANCHORS = frozenset({"pin", "password", "passcode", "hint", "answer"})
PRETEXTING_ANCHORS = frozenset(
    [
        "behalf",
        "police",
        "detective",
        "officer",
        "enforcement",
        "investigator",
        "subpoena",
        "court",
        "urgent",
        "urgently",
        "emergency",
        "asap",
        "life",
        "send",
        "pin",
        "wife",
        "husband",
        "spouse",
        "partner",
        "son",
        "daughter",
        "mother",
        "mom",
        "father",
        "dad",
        "assistant",
        "lawyer",
        "attorney",
        "boss",
        "employer",
        "brother",
        "sister",
        "caregiver",
        "guardian",
        "girlfriend",
        "boyfriend",
    ]
)
