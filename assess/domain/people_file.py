"""Read a spreadsheet of people to invite, saved as CSV: a column of email addresses and one of names (or of
first and last names), under a header row; or, without a header, rows of a name and an address in either order."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from .recipients import BadLine, Recipient

EMAIL_HEADERS = {"email", "e-mail", "email address", "e-mail address", "mail", "work email"}
NAME_HEADERS = {"name", "full name", "candidate", "candidate name", "display name"}
FIRST_HEADERS = {"first name", "first", "given name", "forename"}
LAST_HEADERS = {"last name", "last", "surname", "family name"}
DELIMITERS = (",", ";", "\t")


class PeopleFileError(ValueError):
    """The file cannot be read as a list of people; the message says what to change."""


@dataclass(frozen=True)
class PeopleFile:
    """The people in a file, the rows that are not, and each row as a line to put back in the box to fix."""

    recipients: list[Recipient]
    bad: list[BadLine]
    lines: dict[int, str]  # by row number, as the spreadsheet numbers rows


def decoded(data: bytes) -> str:
    """The file's text: UTF-8 (with or without Excel's byte-order mark), else Windows-1252, which Excel's plain
    "CSV" format writes on Windows."""
    if not data.strip():
        raise PeopleFileError("The file is empty. Choose a CSV file with a row for each person.")
    if b"\x00" in data:
        raise PeopleFileError("That is not a CSV file. In your spreadsheet, choose File › Save as › CSV UTF-8, "
                              "then choose the saved file.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise PeopleFileError("The file's characters cannot be read. Save it as “CSV UTF-8” and choose it "
                              "again.") from None


def _header_cell(cell: str) -> str:
    return re.sub(r"[\s_]+", " ", cell.strip().lower())


def _delimiter(first_line: str) -> str:
    """The mark between columns: the one the first row uses most (a comma when it uses none)."""
    return max(DELIMITERS, key=lambda mark: (first_line.count(mark), mark == ","))


def _column(header: list[str], names: set[str]) -> int | None:
    return next((i for i, cell in enumerate(header) if cell in names), None)


def _cell(row: list[str], at: int | None) -> str:
    return row[at].strip() if at is not None and at < len(row) else ""


def _as_line(name: str, email: str) -> str:
    """The person as a line of the paste box, which reads it back the same: a name with a comma or an angle
    bracket in it is quoted."""
    if not email:
        return name
    if not name:
        return email
    if any(mark in name for mark in ',;<>"\t'):
        name = '"' + name.replace("\\", "").replace('"', "'") + '"'
    return f"{name} <{email}>"


def read_people(data: bytes) -> PeopleFile:
    """The people in a CSV file, each with the row they are on; rows that name nobody are left out."""
    text = decoded(data)
    first_line = text.split("\n", 1)[0]
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line)))
    header = [_header_cell(cell) for cell in rows[0]] if rows else []
    at_email = _column(header, EMAIL_HEADERS)
    if at_email is None:
        if not any("@" in cell for cell in (rows[0] if rows else [])):
            raise PeopleFileError("The first row must name the columns: one called “Email”, and one called "
                                  "“Name” (or “First name” and “Last name”).")
        return _without_header(rows)
    at_name, at_first, at_last = (_column(header, names) for names in (NAME_HEADERS, FIRST_HEADERS, LAST_HEADERS))
    recipients, bad, lines = [], [], {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        name = _cell(row, at_name) or " ".join(p for p in (_cell(row, at_first), _cell(row, at_last)) if p)
        email = _cell(row, at_email)
        lines[number] = _as_line(name, email)
        if email:  # the columns say which is which, so the address is checked as the person is invited
            recipients.append(Recipient(number, name, email))
        else:
            bad.append(BadLine(number, name, "no email address in this row"))
    return PeopleFile(recipients, bad, lines)


def _without_header(rows: list[list[str]]) -> PeopleFile:
    """Rows with no header: the one cell with an @ in it is the address, the others make the name."""
    recipients, bad, lines = [], [], {}
    for number, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row if c.strip()]
        if not cells:
            continue
        addresses = [c for c in cells if "@" in c]
        name = " ".join(c for c in cells if "@" not in c)
        if len(addresses) == 1:
            recipients.append(Recipient(number, name, addresses[0]))
            lines[number] = _as_line(name, addresses[0])
        else:
            bad.append(BadLine(number, ", ".join(cells), "expected one email address in this row"))
            lines[number] = ", ".join(cells)
    return PeopleFile(recipients, bad, lines)
