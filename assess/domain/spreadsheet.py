"""Cells for CSV files that people open in spreadsheets."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# First in every CSV file we make, so spreadsheets (Excel above all) read it as UTF-8 and show accents.
BOM = "\ufeff"


def safe_cell(value: object) -> str:
    """The value as text a spreadsheet will show, never run: formula-like text gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A CSV file a spreadsheet opens with its accents and never runs a formula from."""
    buffer = io.StringIO(BOM)
    buffer.seek(0, io.SEEK_END)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return buffer.getvalue()
