"""Read a pasted list of people to invite, one per line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parseaddr

_SEPARATORS = re.compile(r"[,;\t]")
# Only the line breaks a keyboard types end a line: a Unicode line separator or a form feed inside a pasted
# name is a character of that line, for the name's own check to refuse, not a line of its own.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_BRACKETED = re.compile(r"([^<>]*)<([^<>]*@[^<>]*)>\s*")


def lines_of(text: str) -> list[str]:
    """The pasted text's lines, numbered as the person who pasted it sees them."""
    return _LINE_BREAK.split(text)


@dataclass(frozen=True)
class Recipient:
    line: int
    name: str
    email: str


@dataclass(frozen=True)
class BadLine:
    line: int
    text: str
    reason: str


def parse_recipients(text: str) -> tuple[list[Recipient], list[BadLine]]:
    """Accept 'Name <email>', 'Name, email', 'email, Name' or a bare email on each line."""
    recipients: list[Recipient] = []
    bad: list[BadLine] = []
    for number, raw in enumerate(lines_of(text), start=1):
        line = raw.strip()
        if not line:
            continue
        name, email = _split(line)
        if not email:
            bad.append(BadLine(number, line, "expected one email address on this line"))
            continue
        recipients.append(Recipient(number, name, email))
    return recipients, bad


def _split(line: str) -> tuple[str, str]:
    if line.count("@") != 1:
        return "", ""  # no address, or two: which of them was meant is for the person to say
    bracketed = _BRACKETED.fullmatch(line)
    if bracketed:  # 'Name <email>': the name is all before the bracket, commas and all
        return bracketed.group(1).strip().strip('"').strip(), bracketed.group(2).strip()
    if "<" in line and ">" in line:
        name, email = parseaddr(line)
        return name.strip().strip('"'), email.strip()
    words = [w.strip().strip('"') for w in _SEPARATORS.sub(" ", line).split()]
    emails = [w for w in words if "@" in w]
    if len(emails) != 1:
        return "", ""
    return " ".join(w for w in words if "@" not in w), emails[0]
