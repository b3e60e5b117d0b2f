"""Keep only quotes that really occur in the submission."""

from __future__ import annotations

import re
import unicodedata

from ..domain.text import without_hidden

_SPACE = re.compile(r"\s+")
_MARKUP = re.compile(r"[*_`>#|]+")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})
MIN_QUOTE_CHARS = 12


def normalise(text: str) -> str:
    """Text as compared: Markdown marks, typographic quotes, hidden characters and runs of white space set aside."""
    text = unicodedata.normalize("NFKC", without_hidden(text)).translate(_QUOTES)
    return _SPACE.sub(" ", _MARKUP.sub(" ", text)).strip()


def occurs_in(quote: str, source: str) -> bool:
    """Whether the quote appears in the source, spacing and Markdown marks aside."""
    needle = normalise(quote).strip(" .\"'")
    return len(needle) >= MIN_QUOTE_CHARS and needle in normalise(source)
