"""No patient in the ledger: names and NHS numbers are refused in codes and notes."""

import pytest
from django.core.exceptions import ValidationError

from supervision.anonymity import check_anonymous, check_case_code, contains_name, is_valid_nhs_number

# 943 476 5919 is the NHS's own example of a valid number (check digit 9).
VALID_NHS = "9434765919"


def test_the_modulus_11_check():
    assert is_valid_nhs_number(VALID_NHS)
    assert not is_valid_nhs_number("9434765918")  # wrong check digit
    assert not is_valid_nhs_number("943476591")  # nine digits
    # 1*10 + 1*2 = 12, remainder 1: the check digit would be 10, so no number is valid.
    assert not any(is_valid_nhs_number(f"100000001{digit}") for digit in range(10))
    # 11 - remainder 0 = 11 stands for a check digit of 0.
    assert is_valid_nhs_number("4010232110")
    assert not is_valid_nhs_number("4010232111")


@pytest.mark.parametrize("text", ["9434765919", "943 476 5919", "943-476-5919", "Seen today, ref 943 476 5919."])
def test_a_valid_nhs_number_with_or_without_spaces_is_refused(text):
    with pytest.raises(ValidationError, match="NHS number"):
        check_anonymous(text)


@pytest.mark.parametrize("text", ["9434765918", "call 0207 946 0958", "12345678901"])
def test_other_digits_pass(text):
    check_anonymous(text)


@pytest.mark.parametrize(
    "text",
    ["John Smith", "Discussed Mary Jones today", "Mr Patel", "Mrs. Okafor was anxious", "JaneDoe", "“Sarah O'Neil”"],
)
def test_text_that_looks_like_a_name_is_refused(text):
    assert contains_name(text)
    with pytest.raises(ValidationError, match="person's name"):
        check_anonymous(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Focus on the interpersonal affective focus",
        "Referred by NHS Talking Therapies",
        "Good session. Next week we end",
        "Trained at the Anna Freud National Centre",
        "Ending phase: Monday March review",
    ],
)
def test_ordinary_notes_pass(text):
    assert not contains_name(text)
    check_anonymous(text)


@pytest.mark.parametrize("code", ["C-2026-01", "case7", "A1", "2026/03.b", "Case-7", "AB-CD-3"])
def test_case_codes_accepted(code):
    check_case_code(code)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("JohnSmith1", "person's name"),
        ("Jane-Smith1", "person's name"),
        ("Mary_Jones_2", "person's name"),
        ("9434765919", "NHS number"),
        ("C 01", "without spaces"),
        ("ABC", "at least one digit"),
        ("Smith", "at least one digit"),
    ],
)
def test_case_codes_refused(code, message):
    with pytest.raises(ValidationError, match=message):
        check_case_code(code)
