"""Writes locale/en_GB/LC_MESSAGES/django.po: django-allauth's Title Case labels in the
portal's sentence case ("Remember Me" -> "Remember me", "Verify Your Email Address" ->
"Verify your e-mail address"), and its words in the portal's ("Sign Up" -> "Create account").

Run it after upgrading django-allauth, then compile:
    .venv/bin/python locale/make_sentence_case.py && msgfmt -o locale/en_GB/LC_MESSAGES/django.mo locale/en_GB/LC_MESSAGES/django.po
tests/portal/test_words.py fails when a label is left in Title Case.
"""

import re
from pathlib import Path

import allauth

SOURCE = Path(allauth.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
TARGET = Path(__file__).parent / "en_GB" / "LC_MESSAGES" / "django.po"
# The portal's own words where allauth's differ (docs: README "Words").
WORDS = {
    "Sign Up": "Create account",
    "Sign up": "Create account",
    "Passkey Sign Up": "Create an account with a passkey",
    "Sign Up Closed": "Creating accounts is closed",
    "Login Cancelled": "Sign-in cancelled",
    "Enter Sign-In Code": "Enter your sign-in code",
    "Forgot Password?": "Forgot your password?",
}
KEEP = {"DIT", "TOTP", "ID", "URL", "OK"}


def sentence_case(text):
    words = text.split(" ")
    result = []
    for index, word in enumerate(words):
        bare = re.sub(r"\W", "", word)
        if bare in KEEP or word.startswith("%("):
            result.append(word)
        elif index == 0:
            result.append(word[:1].upper() + word[1:].lower())
        else:
            result.append(word.lower())
    text = " ".join(result)
    text = re.sub(r"\bEmail\b", "E-mail", text)
    return re.sub(r"\bemail\b", "e-mail", text)


def title_case(msgid):
    """Two or more words, each after the first starting with a capital: allauth's labels."""
    words = [w for w in re.sub(r"%\(\w+\)s", "", msgid).split() if w[:1].isalpha()]
    return len(words) >= 2 and all(w[0].isupper() for w in words)


def entries():
    text = SOURCE.read_text()
    for match in re.finditer(r'^(?:msgctxt "(.*)"\n)?msgid "(.+)"\nmsgstr ""\n(?!")', text, re.MULTILINE):
        context, msgid = match.group(1), match.group(2)
        if msgid in WORDS:
            yield context, msgid, WORDS[msgid]
        elif title_case(msgid):
            yield context, msgid, sentence_case(msgid)


def main():
    lines = [
        "# The portal's words for django-allauth's labels; written by locale/make_sentence_case.py.",
        'msgid ""',
        'msgstr ""',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        '"Language: en_GB\\n"',
        "",
    ]
    seen = set()
    for context, msgid, msgstr in entries():
        if (context, msgid) in seen:
            continue
        seen.add((context, msgid))
        if context:
            lines.append(f'msgctxt "{context}"')
        lines += [f'msgid "{msgid}"', f'msgstr "{msgstr}"', ""]
    TARGET.write_text("\n".join(lines))
    print(f"{len(seen)} labels written to {TARGET}")


if __name__ == "__main__":
    main()
