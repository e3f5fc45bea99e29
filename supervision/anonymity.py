"""Keeping patients out of the ledger: case codes and notes must not look like a personal
name or an NHS number. Forms and services both call these checks."""

import re

from django.core.exceptions import ValidationError

# Capitalised words that are not names: DIT and NHS vocabulary, days and months. Two of them
# in a row ("Talking Therapies", "Monday March") are not taken for a person's name.
NOT_NAMES = frozenset(
    {
        "dynamic",
        "interpersonal",
        "therapy",
        "talking",
        "therapies",
        "nhs",
        "iapt",
        "dit",
        "cbt",
        "ipt",
        "affective",
        "focus",
        "supervision",
        "supervisor",
        "session",
        "sessions",
        "case",
        "phase",
        "initial",
        "middle",
        "ending",
        "formal",
        "peer",
        "group",
        "individual",
        "recording",
        "module",
        "cpd",
        "day",
        "refresher",
        "network",
        "meeting",
        "training",
        "programme",
        "centre",
        "national",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    }
)
# Phrases removed before looking for names: the Centre is named after a person.
NOT_NAME_PHRASES = re.compile(r"\bAnna Freud\b")
HONORIFICS = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "lady", "lord"}
CAPITALISED = re.compile(r"^[A-Z](?:[a-z]+|[a-z]*(?:[-'’][A-Z]?[a-z]+)+)$")
CAMEL_NAME = re.compile(r"[A-Z][a-z]{2,}[A-Z][a-z]{2,}")
TEN_DIGITS = re.compile(r"(?<![\d])(\d(?:[ -]?\d){9})(?![\d])")
SENTENCE_END = re.compile(r"[.!?;:]$")

NAME_MESSAGE = "This looks like a person's name. Never enter a patient's name: use your case code instead."
NHS_MESSAGE = "This looks like an NHS number. Never enter a patient's NHS number."


def is_valid_nhs_number(digits):
    """The NHS number's Modulus 11 check: weights 10..2 on the first nine digits."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def contains_nhs_number(text):
    return any(is_valid_nhs_number(re.sub(r"\D", "", match)) for match in TEN_DIGITS.findall(text))


def _word(token):
    return token.strip("\"'“”‘’()[]{},")


def contains_name(text):
    """Two capitalised words in a row (not across a sentence's end and not both everyday
    DIT vocabulary), an honorific followed by a capitalised word, or a run-together
    "JaneSmith"."""
    text = NOT_NAME_PHRASES.sub("", text)
    if CAMEL_NAME.search(text):
        return True
    previous = None  # the previous token's word, if it was capitalised and the sentence goes on
    for token in text.split():
        word = _word(token).rstrip(".!?;:")
        capitalised = bool(CAPITALISED.match(word))
        if previous is not None and capitalised:
            honorific = previous.lower() in HONORIFICS
            if honorific or not (previous.lower() in NOT_NAMES and word.lower() in NOT_NAMES):
                return True
        ends = bool(SENTENCE_END.search(_word(token))) and word.lower() not in HONORIFICS
        previous = word if capitalised and not ends else None
    return False


def check_anonymous(text, *, field_label=""):
    """Raise ValidationError when `text` looks like it names a patient."""
    if not text:
        return
    prefix = f"{field_label}: " if field_label else ""
    if contains_nhs_number(text):
        raise ValidationError(prefix + NHS_MESSAGE, code="nhs_number")
    if contains_name(text):
        raise ValidationError(prefix + NAME_MESSAGE, code="personal_name")


CASE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")


def check_case_code(code):
    """A case code: letters, digits and - _ . / only, with at least one digit, and nothing
    that looks like a name or an NHS number."""
    check_anonymous(code)
    # "Jane-Smith_1" hides a name behind separators: read them as spaces.
    if contains_name(re.sub(r"[-_./\d]+", " ", code)):
        raise ValidationError(NAME_MESSAGE, code="personal_name")
    if not CASE_CODE.match(code):
        raise ValidationError(
            "Use letters, digits and - _ . / only, without spaces (e.g. C-2026-01).", code="case_code_format"
        )
    if not any(character.isdigit() for character in code):
        raise ValidationError(
            "A case code needs at least one digit (e.g. C-2026-01), so it cannot be someone's name.",
            code="case_code_digit",
        )
