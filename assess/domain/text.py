"""Which characters a name or a title may hold, and which no stored text may hold at all."""

from __future__ import annotations

import unicodedata

ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
# The zero-width non-joiner and joiner are how Persian, Kurdish and Indic names are spelled
# (for example "\u0645\u06cc\u200c\u0634\u0648\u062f"); between two letters they are part of a name.
# Between two pictographs the joiner builds one emoji ("\U0001f469\u200d\U0001f4bb", a woman technologist).
JOINERS = frozenset("\u200c\u200d")
# What a joiner may stand between: letters, marks (a variation selector is one), and symbols (emoji and
# their skin-tone modifiers).
_JOINABLE = frozenset("LMS")
# Embeddings, overrides and isolates reorder what is shown: "exe.txt" can be made to read as "txt.exe".
DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_SEPARATORS = frozenset(("Zl", "Zp"))
MULTILINE_ALLOWED = frozenset("\n\r\t")
NUL = "\x00"

# Control characters have no name in the Unicode database, only aliases; these are the ones people meet.
_CONTROL_NAMES = {0x00: "NULL", 0x08: "BACKSPACE", 0x09: "CHARACTER TABULATION", 0x0A: "LINE FEED",
                  0x0D: "CARRIAGE RETURN", 0x1B: "ESCAPE", 0x7F: "DELETE"}


def _escaped(chars: str) -> str:
    return "".join(f"\\u{ord(c):04x}" for c in chars)


# The same rule for a single line as a regular expression, for schemas that describe our JSON.
SINGLE_LINE_PATTERN = (
    "^[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029"
    + _escaped("".join(sorted(ZERO_WIDTH | DIRECTION_CONTROLS))) + "]*$"
)


def is_hidden(char: str, *, multiline: bool = False) -> bool:
    """Whether char cannot be seen, or changes how the text around it is seen."""
    if multiline and char in MULTILINE_ALLOWED:
        return False
    category = unicodedata.category(char)
    return (category == "Cc" or char in ZERO_WIDTH or char in DIRECTION_CONTROLS
            or (not multiline and category in LINE_SEPARATORS))


def _joins_letters(text: str, index: int) -> bool:
    def letter(at: int) -> bool:
        return 0 <= at < len(text) and unicodedata.category(text[at])[0] in _JOINABLE

    return text[index] in JOINERS and letter(index - 1) and letter(index + 1)


def first_hidden(text: str, *, multiline: bool = False) -> str | None:
    """The first hidden character of text, if it has one; a joiner between two letters or emoji is spelling."""
    return next((char for index, char in enumerate(text)
                 if is_hidden(char, multiline=multiline) and not _joins_letters(text, index)), None)


# Letters that show as nothing: Hangul fillers, the Khmer inherent vowels, the combining grapheme joiner.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u17b4\u17b5\u034f")
_INVISIBLE_CATEGORIES = frozenset(("Cc", "Cf", "Co", "Cn", "Cs"))


def without_hidden(text: str, *, multiline: bool = True) -> str:
    """Text with everything that cannot be seen dropped: for text we did not type and show as it came (a
    model's or a provider's words), where a message asking to remove a character has no reader.

    Broader than is_hidden: every format character (direction marks, tags, soft hyphens, invisible
    operators), private-use and unassigned code points, and blank letters go; line and paragraph
    separators become line breaks; joiners that spell a word stay."""
    kept = []
    for index, char in enumerate(text):
        category = unicodedata.category(char)
        if category in LINE_SEPARATORS:
            kept.append("\n" if multiline else " ")
        elif multiline and char in MULTILINE_ALLOWED:
            kept.append(char)
        elif _joins_letters(text, index) or not (category in _INVISIBLE_CATEGORIES or char in BLANK_LETTERS):
            kept.append(char)
    return "".join(kept)


def one_line(text: str, limit: int) -> str:
    """Someone else's words as a short line of ours: nothing hidden, white space collapsed, cut at limit with "…"."""
    words = " ".join(without_hidden(text).split())
    return words if len(words) <= limit else words[:limit].rstrip() + "…"


def describe(char: str) -> str:
    """The character's code point and Unicode name, e.g. "U+202E RIGHT-TO-LEFT OVERRIDE"."""
    name = unicodedata.name(char, "") or _CONTROL_NAMES.get(ord(char), "CONTROL CHARACTER")
    return f"U+{ord(char):04X} {name}"


def hidden_character_problem(text: str, what: str, *, multiline: bool = False) -> str | None:
    """Why text cannot be used as what (e.g. "The name"), or None when every character shows."""
    char = first_hidden(text, multiline=multiline)
    if char is None:
        return None
    return f"{what} contains an invisible character ({describe(char)}); remove it and try again."


def tidy_line(text: str) -> str:
    """A name or a search as one line: composed the one way Unicode allows (NFC, so an "é" typed as "e" and an
    accent matches one typed as one character), white space collapsed to single spaces."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def first_control(text: str) -> str | None:
    """The first control character (a line break, a tab, NUL, an escape) of text, if it has one."""
    return next((char for char in text if unicodedata.category(char) in ("Cc", "Cs")), None)


def without_nul(text: str) -> str:
    """Text without NUL characters, which no database text column can hold and no one types on purpose."""
    return text.replace(NUL, "")
