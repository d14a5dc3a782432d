"""Specification of the PIN policy and the backup-question rules (R14, R15)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.domain.common_pins import COMMON_PINS
from bot.domain.pin_policy import (
    AccountFacts,
    PinPolicy,
    PinRefusal,
    QuestionRefusal,
    check_backup_question,
    check_pin,
    dob_checker,
    dob_forms,
    dob_full_form,
    ssn_last4_form,
    validate_backup_questions,
)

R = PinRefusal
DOB = date(1980, 4, 12)
# The account side stores keyed hashes of these forms; a set stands in for "hash and look up".
DOB_ON_FILE = dob_forms(DOB)
SSN_ON_FILE = {ssn_last4_form("6789")}
ACCOUNT = AccountFacts(
    account_number="AC-90817-3264",
    telephone_numbers=("+1 (415) 555-0199", "415-730-2846"),
    street_numbers=("742",),
    zip_codes=("94110-4321",),
    dob_matches=DOB_ON_FILE.__contains__,
    ssn_last4_matches=SSN_ON_FILE.__contains__,
)


def _codes(pin: str, **kwargs: object) -> list[PinRefusal]:
    return [p.code for p in check_pin(pin, **kwargs)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("pin", "expected"),
    [
        ("5803", []),
        ("73920", []),
        ("48213906", []),
        ("", [R.NOT_DIGITS, R.TOO_SHORT]),
        ("12a4", [R.NOT_DIGITS]),
        (" 5803", [R.NOT_DIGITS]),
        ("\u0665\u0668\u0660\u0663", [R.NOT_DIGITS]),  # Arabic-Indic digits are not 0-9
        ("580", [R.TOO_SHORT]),
        ("580391724", [R.TOO_LONG]),
        ("7777", [R.ALL_SAME, R.COMMON]),
        ("99999990", []),
        ("99999999", [R.ALL_SAME]),
        ("3456", [R.SEQUENCE, R.COMMON]),
        ("56789", [R.SEQUENCE]),
        ("8901", [R.SEQUENCE]),
        ("6543", [R.SEQUENCE, R.COMMON]),
        ("43210987", [R.SEQUENCE]),
        ("4545", [R.REPEATED_PATTERN, R.COMMON]),
        ("838383", [R.REPEATED_PATTERN]),
        ("38383", [R.REPEATED_PATTERN]),
        ("581581", [R.REPEATED_PATTERN]),
        ("2580", [R.COMMON]),
        ("5683", [R.COMMON]),
        ("1987", [R.COMMON]),
        ("123456", [R.SEQUENCE, R.COMMON]),
        ("1234567890", [R.TOO_LONG, R.SEQUENCE]),
    ],
)
def test_generic_pin_rules(pin: str, expected: list[PinRefusal]) -> None:
    """Format, trivial patterns and the common-PIN list refuse with every reason listed."""
    assert _codes(pin) == expected


@pytest.mark.parametrize(
    ("pin", "expected"),
    [
        ("5803", []),
        ("0817", [R.ACCOUNT_NUMBER]),  # R14: part of the account number
        ("9081", [R.ACCOUNT_NUMBER]),
        ("3264", [R.ACCOUNT_NUMBER]),
        ("0199", [R.TELEPHONE_NUMBER]),  # R14: the telephone number on the account
        ("5550", [R.TELEPHONE_NUMBER]),
        ("28469", [R.TELEPHONE_NUMBER]),
        ("7420", [R.STREET_NUMBER]),  # the street number of an address of record
        ("97428", [R.STREET_NUMBER]),
        ("9411", [R.ZIP_CODE]),
        ("941105", [R.ZIP_CODE]),
        ("0412", [R.DATE_OF_BIRTH]),  # MMDD (R14: biographical)
        ("1204", [R.DATE_OF_BIRTH]),  # DDMM
        ("0480", [R.DATE_OF_BIRTH]),  # MMYY
        ("8004", [R.DATE_OF_BIRTH]),  # YYMM
        ("041280", [R.DATE_OF_BIRTH]),  # MMDDYY
        ("120480", [R.DATE_OF_BIRTH]),  # DDMMYY
        ("800412", [R.DATE_OF_BIRTH]),  # YYMMDD
        ("04121980", [R.DATE_OF_BIRTH]),  # MMDDYYYY
        ("12041980", [R.DATE_OF_BIRTH]),  # DDMMYYYY
        ("19800412", [R.DATE_OF_BIRTH]),  # YYYYMMDD
        ("1980", [R.COMMON, R.DATE_OF_BIRTH]),  # YYYY
        ("6789", [R.SEQUENCE, R.COMMON, R.SSN_LAST4]),  # R14: SSN last 4
        ("367892", [R.SSN_LAST4]),
        ("3264", [R.ACCOUNT_NUMBER]),
        ("43219", [R.ZIP_CODE]),
    ],
)
def test_pins_derived_from_account_data_are_refused(pin: str, expected: list[PinRefusal]) -> None:
    """A PIN derived from the account's own biographical or account data is refused (R14)."""
    assert _codes(pin, account=ACCOUNT) == expected


def test_every_reason_is_listed_together() -> None:
    """A PIN failing several rules lists each reason, in a stable order."""
    facts = AccountFacts(account_number="1234", zip_codes=("01234",))
    assert _codes("1234", account=facts) == [R.SEQUENCE, R.COMMON, R.ACCOUNT_NUMBER, R.ZIP_CODE]


def test_problem_text_never_quotes_pin_or_account_data() -> None:
    """Refusal texts name the rule, never the PIN or the account's digits."""
    for problem in check_pin("0817", account=ACCOUNT) + check_pin("abc", account=ACCOUNT):
        assert "0817" not in problem.text and "90817" not in problem.text
        assert "abc" not in problem.text


def test_short_street_numbers_do_not_refuse_everything() -> None:
    """A 2-digit street number is below min_embedded_digits and refuses nothing."""
    assert _codes("5803", account=AccountFacts(street_numbers=("58",))) == []


def test_dob_and_ssn_checks_need_only_checkers_not_clear_values() -> None:
    """The DOB check works over any membership checker, e.g. of keyed hashes (R14)."""
    key = b"k" * 32
    stored = {hmac.new(key, f.encode(), hashlib.sha256).hexdigest() for f in DOB_ON_FILE}

    def keyed(form: str) -> bool:
        return hmac.new(key, form.encode(), hashlib.sha256).hexdigest() in stored

    assert _codes("0412", account=AccountFacts(dob_matches=keyed)) == [R.DATE_OF_BIRTH]
    assert _codes("5803", account=AccountFacts(dob_matches=keyed)) == []


@pytest.mark.parametrize(
    ("pin", "refused"),
    [
        ("0412", True),
        ("1204", True),
        ("1980", True),
        ("0480", True),
        ("800412", True),
        ("19800412", True),
        ("0413", False),
        ("1981", False),
        ("5803", False),
    ],
)
def test_a_single_full_date_digest_suffices_through_dob_checker(pin: str, refused: bool) -> None:
    """dob_checker expands forms to full dates, so one keyed hash of the DOB is enough (R14)."""
    key = b"k" * 32

    def digest(form: str) -> bytes:
        return hmac.new(key, form.encode(), hashlib.sha256).digest()

    stored = digest(dob_full_form(DOB))
    checker = dob_checker(
        lambda d: hmac.compare_digest(digest(dob_full_form(d)), stored), years=range(1900, 2027)
    )
    codes = _codes(pin, account=AccountFacts(dob_matches=checker))
    assert (R.DATE_OF_BIRTH in codes) is refused


def test_dob_checker_refuses_a_year_range_before_year_one() -> None:
    """A years range starting at 0 or below is a programming error."""
    with pytest.raises(ValueError, match="year 1"):
        dob_checker(lambda d: False, years=range(0, 10))


def test_dob_forms_are_the_five_canonical_forms() -> None:
    """dob_forms gives month-day, year, month-year and both full-date forms."""
    assert dob_forms(DOB) == {
        "dob:md:04-12",
        "dob:y:1980",
        "dob:my:04-80",
        "dob:ymd2:80-04-12",
        "dob:ymd:1980-04-12",
    }


def test_ssn_last4_form_requires_four_digits() -> None:
    """The SSN form takes exactly 4 digits and ignores separators."""
    assert ssn_last4_form(" 67-89") == "ssn4:6789"
    with pytest.raises(ValueError, match="4 digits"):
        ssn_last4_form("678")


def test_policy_is_configurable() -> None:
    """Length limits, run length and extra common PINs are tunable."""
    policy = PinPolicy(min_length=6, max_length=6, extra_common_pins=frozenset({"580391"}))
    assert _codes("5803", policy=policy) == [R.TOO_SHORT]
    assert _codes("580391", policy=policy) == [R.COMMON]
    lenient = PinPolicy(account_digit_run=5)
    assert _codes("0817", policy=lenient, account=ACCOUNT) == []


@pytest.mark.parametrize(
    "settings",
    [{"min_length": 3}, {"min_length": 8, "max_length": 6}, {"unknown": 1}],
)
def test_bad_policy_settings_are_refused(settings: dict[str, object]) -> None:
    """Below-4 minimums, crossed limits and unknown keys are configuration errors."""
    with pytest.raises(ValidationError):
        PinPolicy(**settings)  # type: ignore[arg-type]


def test_policy_is_frozen() -> None:
    """A PinPolicy cannot be changed after validation."""
    with pytest.raises(ValidationError):
        PinPolicy().min_length = 2  # type: ignore[misc]


def test_common_pin_list_has_at_least_100_valid_entries() -> None:
    """The common-PIN data module lists at least 100 distinct 4-to-8-digit PINs."""
    assert len(COMMON_PINS) >= 100
    assert all(p.isascii() and p.isdigit() and 4 <= len(p) <= 8 for p in COMMON_PINS)


@given(st.text(alphabet="0123456789", min_size=4, max_size=8))
def test_every_digit_pin_gets_a_verdict_without_format_reasons(pin: str) -> None:
    """Any 4-8 digit PIN is judged on patterns only, never refused for its format."""
    codes = _codes(pin, account=ACCOUNT)
    assert not {R.NOT_DIGITS, R.TOO_SHORT, R.TOO_LONG} & set(codes)
    assert codes == sorted(set(codes), key=list(PinRefusal).index)


# --- backup questions (R15) ---------------------------------------------------------------

Q = QuestionRefusal


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What was the name of your first pet?", []),
        ("What was your childhood nickname?", []),
        ("What was the make of your first car?", []),
        ("What is your mother's maiden name?", [Q.MOTHERS_MAIDEN_NAME]),
        ("What is your date of birth?", [Q.DATE_OF_BIRTH]),
        ("When were you born?", [Q.DATE_OF_BIRTH]),
        ("What is your birthday?", [Q.DATE_OF_BIRTH]),
        ("In what city were you born?", [Q.PLACE_OF_BIRTH]),
        ("What is your birthplace?", [Q.PLACE_OF_BIRTH]),
        ("What are the last 4 of your SSN?", [Q.SSN]),
        ("What is your Social Security number?", [Q.SSN]),
        ("What is your home address?", [Q.ADDRESS]),
        ("What street did you grow up on?", [Q.ADDRESS]),
        ("What is your ZIP code?", [Q.ADDRESS]),
        ("What are the last four digits of your account number?", [Q.ACCOUNT_NUMBER]),
        ("What is the phone number on the account?", [Q.PHONE_NUMBER]),
        ("How much was your last bill?", [Q.BILL_AMOUNT]),
        ("What was the amount due last month?", [Q.BILL_AMOUNT]),
        ("What is your e-mail address?", [Q.EMAIL_ADDRESS]),
        ("What is your driver's license number?", [Q.GOVERNMENT_ID]),
        ("What high school did you attend?", [Q.SCHOOL]),
        ("  ", [Q.EMPTY]),
        ("What is your DOB and billing ZIP?", [Q.DATE_OF_BIRTH, Q.ADDRESS, Q.BILL_AMOUNT]),
    ],
)
def test_backup_questions_asking_for_bio_or_account_data_are_refused(
    question: str, expected: list[QuestionRefusal]
) -> None:
    """A question prompting for biographical or account information is refused (R15)."""
    assert [p.code for p in check_backup_question(question)] == expected


def test_backup_question_problems_aggregate_for_the_config_loader() -> None:
    """validate_backup_questions lists every problem, with position, for one message (R15)."""
    problems = validate_backup_questions(
        [
            "What was the name of your first pet?",
            "What is your ZIP code?",
            "",
            "what is your ZIP code?",
        ],
        setting="CPNI_BACKUP_QUESTIONS",
    )
    assert len(problems) == 4
    assert problems[0].startswith("CPNI_BACKUP_QUESTIONS[2]")
    assert "R15" in problems[0]
    assert "more than once" in problems[-1]


def test_allowed_backup_questions_produce_no_problems() -> None:
    """A configuration of acceptable questions validates cleanly (R15)."""
    assert validate_backup_questions(["What was the name of your first pet?"]) == []
