"""The ``detection:`` policy section: defaults, validation errors and tuning effects."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.domain.detection import Category, DetectionPolicy, build_detector


def _locations(data: dict[str, object]) -> list[tuple[str | int, ...]]:
    with pytest.raises(ValidationError) as info:
        DetectionPolicy.model_validate(data)
    return [tuple(e["loc"]) for e in info.value.errors()]


def test_defaults_require_a_pin_for_every_category() -> None:
    """By company policy every CPNI category requires a PIN (note under R8)."""
    assert DetectionPolicy().pin_required == frozenset(Category)


def test_unknown_key_is_rejected_with_its_name() -> None:
    """A typo in the section is an error located at the key, never a silent default."""
    assert ("min_scor",) in _locations({"min_scor": 0.4})


def test_unknown_category_is_rejected() -> None:
    """A misspelt category in a per-category table is located at that key."""
    locs = _locations({"category_min_score": {"call_detal": 0.4}})
    assert locs[0][0] == "category_min_score"


@pytest.mark.parametrize(
    "pattern",
    [r"(\d+)+x", r"\d+", r"(?:\d{1,3}){2}", r"(?=\d)\d{6}", r"\d*", "(", r"(?:ab|a){1,3}"],
)
def test_unsafe_account_formats_are_rejected(pattern: str) -> None:
    """Account number formats must compile and stay in the linear-time subset."""
    locs = _locations({"account_number_formats": [{"name": "bad", "pattern": pattern}]})
    assert locs == [("account_number_formats", 0, "pattern")]


def test_unknown_phone_region_is_rejected() -> None:
    """The default phone region must be one phonenumbers knows."""
    assert ("default_region",) in _locations({"default_region": "XX"})


def test_policy_is_hashable_by_value() -> None:
    """Equal policies hash equally, so compiled detectors can be cached per policy."""
    assert hash(DetectionPolicy(min_score=0.6)) == hash(DetectionPolicy(min_score=0.6))


def test_tenant_account_format_and_allow_list() -> None:
    """A tenant format is detected with context; an allow-listed phrase never produces a finding."""
    policy = DetectionPolicy.model_validate(
        {
            "account_number_formats": [{"name": "acme", "pattern": r"ACM-\d{7}"}],
            "allow_list": ["account number is ACM-0000000"],
        }
    )
    detector = build_detector(policy)
    assert detector.analyze("my account number is ACM-4829173").categories == {
        Category.ACCOUNT_IDENTIFIERS
    }
    assert detector.analyze("the sample account number is ACM-0000000").findings == ()


def test_extra_negative_words_cancel_a_match() -> None:
    """A policy negative word cancels a match in its sentence (negative context)."""
    text = "I forgot my PIN for the kiosk"
    assert build_detector().analyze(text).categories
    policy = DetectionPolicy(extra_negative_words={Category.CREDENTIAL_CHANGE: ("kiosk",)})
    assert not build_detector(policy).analyze(text).categories


def test_language_phrases_are_added() -> None:
    """Per-language phrase lists add detection; Spanish is built in."""
    assert build_detector().analyze("olvidé mi contraseña").categories == {
        Category.CREDENTIAL_CHANGE
    }
    policy = DetectionPolicy.model_validate(
        {"languages": {"fr": {"phrases": {"call_detail": ["journal des appels"]}}}}
    )
    assert build_detector(policy).analyze("envoyez le journal des appels").categories == {
        Category.CALL_DETAIL
    }
