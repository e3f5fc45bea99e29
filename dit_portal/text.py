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
