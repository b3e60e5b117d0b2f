"""Keep who wrote a submission from the model: the candidate's name, e-mail addresses and phone numbers.

The rubric needs none of them, and a name can carry gender, origin or a reputation into a score.
The text is otherwise left exactly as written, figures and dates included, since the exercises are
largely about numbers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers

from ..domain.text import is_hidden

NAME = "[name removed]"
EMAIL = "[email removed]"
PHONE = "[phone removed]"

# National formats are recognised for these regions, and for the country of the candidate's e-mail
# domain; a number written with its country code is recognised whatever the region. Each was
# checked not to take ranges, dates, counts or tables of figures for numbers.
PHONE_REGIONS = ("US", "GB", "IE", "FR", "ES", "NL", "IN", "AU")
# A number in national format has at least this many digits; fewer is a range or a count ("339-362"),
# which some numbering plans (Germany's) would otherwise accept.
MIN_NATIONAL_DIGITS = 8
MIN_NAME_PART = 3  # shorter parts ("Jo", "Li") are too often ordinary words or initials to mask alone

_AT = "[@\uff20\ufe6b]"  # and the full-width and small commercial at
_LOCAL = r"(?:\"[^\"\s]{1,64}\"|[\w!#$%&'*+/=?^~.-]+)"  # a quoted local part, or the usual characters
_DOMAIN = r"(?:\[[0-9a-fA-F.:]+\]|[\w-]+(?:\.[\w-]+)+)"
_EMAIL = re.compile(_LOCAL + _AT + _DOMAIN)
_SEPARATOR = "['’`´ -]?"  # O'Brien, OBrien, O Brien; Ruiz-López, RuizLópez, Ruiz López
_LOWER, _UPPER = "[^\\W\\d_A-Z]", "[A-Z]"  # on folded text, where letters outside ASCII are rare


@dataclass(frozen=True)
class Person:
    """What is known of the submission's author that must not reach the model."""

    name: str = ""
    email: str = ""


def _fold(text: str) -> tuple[str, list[int]]:
    """The text without accents or hidden characters, and for each of its characters the position it came from."""
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if is_hidden(char, multiline=True):
            continue  # Siob\u200bhán is Siobhán
        for part in unicodedata.normalize("NFKD", char):
            if not unicodedata.combining(part):
                folded.append(part)
                origin.append(index)
    return "".join(folded), origin


def _literal(word: str) -> str:
    """The word as a pattern, an apostrophe or hyphen in it standing for any of them, a space, or nothing."""
    return "".join(_SEPARATOR if c in "'’`´-" else re.escape(c) for c in word)


def _name_pattern(name: str) -> re.Pattern[str] | None:
    """The full name in any case, and each capitalised part of three or more letters, accents aside.

    A single part is matched only where it is capitalised (or all capitals), so that a name that is
    also a word ("Will", "Grace", "Rose") does not blank out the ordinary word, and particles written
    in lower case in the name ("van der", "da") are not masked on their own. A capitalised part may be
    glued to other words or to figures ("RuizLópez", "#Jose2026"), but not run on into lower case."""
    folded = _fold(name.strip())[0]
    if not folded:
        return None
    whole = r"\s*".join(_literal(p) for p in folded.split())
    words = re.findall(r"[^\W\d_]+(?:['’`´-][^\W\d_]+)*", folded)
    pieces = words + [piece for word in words for piece in re.split(r"['’`´-]", word) if piece != word]
    parts = sorted({p for p in pieces if len(p) >= MIN_NAME_PART and p[0].isupper()}, key=len, reverse=True)
    alternatives = [f"(?<![^\\W\\d_])(?i:{whole})(?![^\\W\\d_])"]
    alternatives += [f"(?<!{_UPPER}){_literal(p)}s?(?!{_LOWER})" for p in parts]  # and O'Briens' of the plural
    alternatives += [f"(?<!{_UPPER}){_literal(p.upper())}(?!{_UPPER})" for p in parts]
    return re.compile("|".join(alternatives))


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
    spans = []
    for found in pattern.finditer(folded):
        end = origin[found.end() - 1] + 1
        while end < len(text) and (unicodedata.combining(text[end]) or is_hidden(text[end], multiline=True)):
            end += 1  # an accent written as a separate mark belongs to the letter before it
        spans.append((origin[found.start()], end))
    return _replace(text, spans, NAME)


def _regions(person: Person | None) -> tuple[str, ...]:
    """The regions whose national formats are read: the usual ones, and the country of the person's address."""
    domain = person.email.rsplit(".", 1)[-1].upper() if person is not None and "@" in person.email else ""
    country = {"UK": "GB"}.get(domain, domain)
    known = len(country) == 2 and country in phonenumbers.SUPPORTED_REGIONS
    return PHONE_REGIONS + ((country,) if known and country not in PHONE_REGIONS else ())


def mask_phones(text: str, regions: tuple[str, ...] = PHONE_REGIONS) -> str:
    """Phone numbers that are valid numbers, as the phonenumbers library judges; ranges, dates,
    counts and tables of figures are left alone."""
    spans = [(m.start, m.end)
             for region in regions
             for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID)
             if m.raw_string.lstrip("( ").startswith("+") or sum(c.isdigit() for c in m.raw_string) >= MIN_NATIONAL_DIGITS]
    return _replace(text, spans, PHONE)


def mask(text: str, person: Person | None = None) -> str:
    """The text with the person's name, every e-mail address and every phone number replaced by a marker."""
    if person is not None and person.email:  # first: an address may hold what the general pattern does not
        text = re.sub(re.escape(person.email), EMAIL, text, flags=re.IGNORECASE)
    text = _EMAIL.sub(EMAIL, text)
    text = mask_phones(text, _regions(person))
    if person is not None and person.name:
        text = mask_name(text, person.name)
    return text
