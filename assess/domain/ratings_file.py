"""Read a CSV of ratings (candidate,rater,dimension,score), e.g. exported from another system."""

from __future__ import annotations

import csv
import io
import re

from .calibration import Rating

COLUMNS = ("candidate", "rater", "dimension", "score")


class RatingsFileError(ValueError):
    """The file cannot be used; the message names the line and what to fix."""


def parse_scale(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(-?\d+)\s*-\s*(-?\d+)\s*", text)
    if not match or int(match.group(1)) >= int(match.group(2)):
        raise RatingsFileError(f"--scale must look like 1-5 (low-high, low below high), not {text!r}.")
    return int(match.group(1)), int(match.group(2))


def read_ratings(text: str, low: int = 1, high: int = 5) -> list[Rating]:
    """Every rating in the file, checked: whole numbers on the scale, one rating per cell."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise RatingsFileError(
            f"The header must have the columns {','.join(COLUMNS)}; missing: {', '.join(missing)}."
        )
    reader.fieldnames = header
    ratings: list[Rating] = []
    seen: set[tuple[str, str, str]] = set()
    for row in reader:
        line = reader.line_num  # the file's own line: the reader skips blank lines without counting them
        values = {c: (row.get(c) or "").strip() for c in COLUMNS}
        if not any(values.values()):
            continue
        empty = [c for c in COLUMNS if not values[c]]
        if empty:
            raise RatingsFileError(f"Line {line}: {', '.join(empty)} is empty.")
        if not re.fullmatch(r"-?\d+", values["score"]):
            raise RatingsFileError(f"Line {line}: score {values['score']!r} is not a whole number.")
        score = int(values["score"])
        if not low <= score <= high:
            raise RatingsFileError(
                f"Line {line}: score {score} is off the {low}-{high} scale; use --scale LOW-HIGH if the data uses another."
            )
        key = (values["candidate"], values["rater"], values["dimension"])
        if key in seen:
            raise RatingsFileError(f"Line {line}: {values['rater']} rated {values['candidate']} on {values['dimension']} twice.")
        seen.add(key)
        ratings.append(Rating(values["candidate"], values["rater"], values["dimension"], float(score)))
    if not ratings:
        raise RatingsFileError("The file has a header but no ratings.")
    if len({r.rater for r in ratings}) < 2:
        raise RatingsFileError("Every rating comes from one rater; calibration and agreement need at least two.")
    return ratings
