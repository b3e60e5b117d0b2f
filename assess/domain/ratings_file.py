"""Read a CSV of ratings: plain (candidate,rater,dimension,score) or one of the app's own exports.

The app's scorecards export (candidate,exercise,interviewer,dimension,score,evidence,...) and its ratings
export (candidate,rater,exercise,dimension,score,submitted_at) are read as they are downloaded.
"""

from __future__ import annotations

import csv
import io
import re

from .calibration import Rating
from .ranking import rated_dimension
from .spreadsheet import _FORMULA_STARTS

COLUMNS = ("candidate", "rater", "dimension", "score")
ACCEPTED = ("candidate, rater (or interviewer), dimension and score, and optionally exercise, "
            "as in the app's scorecards and ratings exports")


class RatingsFileError(ValueError):
    """The file cannot be used; the message names the line and what to fix."""


def parse_scale(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(-?\d+)\s*-\s*(-?\d+)\s*", text)
    if not match or int(match.group(1)) >= int(match.group(2)):
        raise RatingsFileError(f"--scale must look like 1-5 (low-high, low below high), not {text!r}.")
    return int(match.group(1)), int(match.group(2))


def _cell(text: str) -> str:
    """The cell as it was before spreadsheet.safe_cell put an apostrophe in front of formula-like text."""
    text = text.strip()
    return text[1:].strip() if text.startswith("'") and text[1:].startswith(_FORMULA_STARTS) else text


def _columns(header: list[str]) -> dict[str, int]:
    """Where each column the reader uses is: rater may be called interviewer, exercise is optional."""
    doubled = sorted({name for name in header if name and header.count(name) > 1})
    if doubled:
        raise RatingsFileError(f"The header names {', '.join(doubled)} more than once; keep one of each.")
    if "rater" not in header and "interviewer" in header:
        header = ["rater" if name == "interviewer" else name for name in header]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        hint = next((f" The header looks separated by {name}; save the file with commas between the columns."
                     for mark, name in ((";", "semicolons"), ("\t", "tabs"))
                     if len(header) == 1 and mark in header[0]), "")
        raise RatingsFileError(f"The header must have the columns {ACCEPTED}; missing: {', '.join(missing)}.{hint}")
    return {name: header.index(name) for name in (*COLUMNS, "exercise") if name in header}


def _records(text: str) -> list[tuple[int, list[str]]]:
    """Each non-blank record with the file line it starts on (a quoted field may span lines)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                records.append((start, [_cell(cell) for cell in cells]))
            start = reader.line_num + 1
    except csv.Error as error:
        raise RatingsFileError(
            f"Line {start}: {error}. A field that starts with a double quote must end with one, "
            "and a double quote inside it is written twice."
        ) from error
    return records


def read_ratings(text: str, low: int = 1, high: int = 5) -> list[Rating]:
    """Every rating in the file, checked: whole numbers on the scale, one rating per cell.

    With an evidence or exercise column (the app's exports) an empty score is a dimension left
    unscored and is skipped; in the plain format it is refused. With an exercise column, the
    rated dimension is exercise:dimension, as calibration names it.
    """
    records = _records(text)
    header = [cell.lower() for cell in records[0][1]] if records else []
    columns = _columns(header)
    unscored_allowed = "evidence" in header or "exercise" in header
    ratings: list[Rating] = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, cells in records[1:]:
        if len(cells) < len(header):
            raise RatingsFileError(f"Line {line} has {len(cells)} fields where the header has {len(header)}; "
                                   "give every row a value (or an empty field) for each column.")
        values = {name: cells[i] for name, i in columns.items()}
        if not values["score"] and unscored_allowed:
            continue
        empty = [name for name in values if not values[name]]
        if empty:
            raise RatingsFileError(f"Line {line}: {', '.join(empty)} is empty.")
        if not re.fullmatch(r"-?\d+", values["score"]):
            raise RatingsFileError(f"Line {line}: score {values['score']!r} is not a whole number.")
        score = int(values["score"])
        if not low <= score <= high:
            raise RatingsFileError(
                f"Line {line}: score {score} is off the {low}-{high} scale; use --scale LOW-HIGH if the data uses another."
            )
        dimension = values["dimension"]
        if "exercise" in values:
            dimension = rated_dimension(values["exercise"], dimension)
        key = (values["candidate"], values["rater"], dimension)
        if key in seen:
            raise RatingsFileError(
                f"Line {line}: {values['rater']} rated {values['candidate']} on {dimension} twice "
                f"(first on line {seen[key]}); keep one of the two."
            )
        seen[key] = line
        ratings.append(Rating(values["candidate"], values["rater"], dimension, float(score)))
    if not ratings:
        raise RatingsFileError("The file has a header but no ratings.")
    if len({r.rater for r in ratings}) < 2:
        raise RatingsFileError("Every rating comes from one rater; calibration and agreement need at least two.")
    return ratings
