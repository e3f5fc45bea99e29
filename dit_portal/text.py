"""Shown words: a label put into the middle of a sentence in lower case keeps its acronyms
("An accredited DIT supervisor" -> "an accredited DIT supervisor", never "dit")."""

import re

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def lower_in_sentence(text):
    """Lower-case `text` for use inside a sentence, keeping words written in capitals
    (DIT, CPD, NHS, AFC, UK) as they are."""

    def lower(match):
        word = match.group(0)
        return word if len(word) > 1 and word.isupper() else word.lower()

    return _WORD.sub(lower, str(text))


def with_article(text):
    """`text` after "a" or "an", by its first sound as far as the letters tell ("an in
    progress credential", "an Excel workbook", "a DIT supervisor", "an AFC trainer")."""
    text = str(text)
    first = text.split(" ", 1)[0]
    if first.isupper() and len(first) > 1:
        vowel_sound = first[0] in "AEFHILMNORSX"  # letters read by name: "an A…", "an F…", "an M…"
    else:
        vowel_sound = first[:1].lower() in "aeio" or (first[:1].lower() == "u" and not first.lower().startswith("uni"))
    return f"{'an' if vowel_sound else 'a'} {text}"
