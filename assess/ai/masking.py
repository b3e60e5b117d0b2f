"""Keep who wrote a submission from the model: the candidate's name, e-mail addresses and phone numbers.

The rubric needs none of them, and a name can carry gender, origin or a reputation into a score.
The text is otherwise left exactly as written, figures and dates included, since the exercises are
largely about numbers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers

NAME = "[name removed]"
EMAIL = "[email removed]"
PHONE = "[phone removed]"

# National formats are recognised for these regions; any number written with its country code is
# recognised whatever the region.
PHONE_REGIONS = ("US", "GB")
MIN_NAME_PART = 3  # shorter parts ("Jo", "Li") are too often ordinary words or initials to mask alone

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass(frozen=True)
class Person:
    """What is known of the submission's author that must not reach the model."""

    name: str = ""
    email: str = ""


def _fold(text: str) -> tuple[str, list[int]]:
    """The text without accents, and for each of its characters the position it came from."""
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for part in unicodedata.normalize("NFKD", char):
            if not unicodedata.combining(part):
                folded.append(part)
                origin.append(index)
    return "".join(folded), origin


def _literal(word: str) -> str:
    """The word as a pattern, either apostrophe standing for the other."""
    return "".join("['’]" if c in "'’" else re.escape(c) for c in word)


def _name_pattern(name: str) -> re.Pattern[str] | None:
    """The full name in any case, and each capitalised part of three or more letters as a word, accents aside.

    A single part is matched only where it is capitalised, so that a name that is also a word
    ("Will", "Grace", "Rose") does not blank out the ordinary word; particles written in lower case
    in the name ("van der", "da") are not masked on their own."""
    folded = _fold(name.strip())[0]
    if not folded:
        return None
    whole = r"\s+".join(_literal(p) for p in folded.split())
    words = re.findall(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", folded)
    pieces = words + [piece for word in words if "-" in word for piece in word.split("-")]  # López of Ruiz-López
    parts = sorted({p for p in pieces if len(p) >= MIN_NAME_PART and p[0].isupper()}, key=len, reverse=True)
    alternatives = [f"(?i:{whole})"] + [f"(?:{_literal(p)}|{_literal(p.upper())})" for p in parts]
    return re.compile(r"(?<![\w])(?:" + "|".join(alternatives) + r")(?![\w])")


def _replace(text: str, spans: list[tuple[int, int]], word: str) -> str:
    out, at = [], 0
    for start, end in sorted(spans):
        if start < at:
            continue
        out += [text[at:start], word]
        at = end
    return "".join(out + [text[at:]])


def mask_name(text: str, name: str) -> str:
    pattern = _name_pattern(name)
    if pattern is None:
        return text
    folded, origin = _fold(text)
    spans = [(origin[m.start()], origin[m.end() - 1] + 1) for m in pattern.finditer(folded)]
    return _replace(text, spans, NAME)


def mask_phones(text: str) -> str:
    """Phone numbers that are valid numbers somewhere, as the phonenumbers library judges; ranges, dates,
    counts and tables of figures are left alone."""
    spans = [(m.start, m.end)
             for region in PHONE_REGIONS
             for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID)]
    return _replace(text, spans, PHONE)


def mask(text: str, person: Person | None = None) -> str:
    """The text with the person's name, every e-mail address and every phone number replaced by a marker."""
    if person is not None and person.email:  # first: an address may hold what the general pattern does not
        text = re.sub(re.escape(person.email), EMAIL, text, flags=re.IGNORECASE)
    text = _EMAIL.sub(EMAIL, text)
    text = mask_phones(text)
    if person is not None and person.name:
        text = mask_name(text, person.name)
    return text
