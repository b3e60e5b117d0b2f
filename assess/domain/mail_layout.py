"""An email's HTML version, made from its plain text, so the two always say the same.

The plain text is the source: paragraphs between blank lines, lines of a paragraph kept as lines, lines
starting with "-" as a list, and addresses as links. Everything is escaped first; nothing in the text
(a candidate's name, a hiring manager's template) becomes markup. Styles are inline, as mail clients
ignore style sheets.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_LINK = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)]")
_ITEM = re.compile(r"^\s*[-•]\s+")

PAGE = ("margin:0;padding:0;background:#f6f7f9;color:#1d2939;"
        "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif")
CARD = ("background:#ffffff;border:1px solid #e4e7ec;border-radius:12px;padding:24px;font-size:15px;"
        "line-height:1.55")
LINK = "color:#2f56d6;word-break:break-all"


def _with_links(text: str) -> Markup:
    pieces, last = [], 0
    for found in _LINK.finditer(text):
        url = found.group(0)
        pieces += [escape(text[last:found.start()]), Markup('<a href="{0}" style="{1}">{0}</a>').format(url, LINK)]
        last = found.end()
    pieces.append(escape(text[last:]))
    return Markup("").join(pieces)


def _block(lines: list[str]) -> Markup:
    if all(_ITEM.match(line) for line in lines):
        items = Markup("").join(Markup('<li style="margin:0 0 4px">{}</li>').format(_with_links(_ITEM.sub("", line)))
                                for line in lines)
        return Markup('<ul style="margin:0 0 16px;padding-left:20px">{}</ul>').format(items)
    inner = Markup("<br>").join(_with_links(line.strip()) for line in lines)
    return Markup('<p style="margin:0 0 16px">{}</p>').format(inner)


def blocks(text: str) -> list[list[str]]:
    """The text's paragraphs, each as its non-empty lines."""
    found: list[list[str]] = [[]]
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.strip():
            found[-1].append(line)
        elif found[-1]:
            found.append([])
    return [block for block in found if block]


def html_version(text: str, *, brand: str, footer: str) -> str:
    """The whole HTML document for a message whose plain text is text."""
    body = Markup("").join(_block(block) for block in blocks(text))
    return str(Markup(
        '<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">'
        '</head><body style="{page}"><div style="max-width:560px;margin:0 auto;padding:24px 16px">'
        '<div style="font-weight:700;font-size:17px;margin:0 0 16px">{brand}</div>'
        '<div style="{card}">{body}</div>'
        '<p style="color:#667085;font-size:12px;line-height:1.5;margin:16px 0 0">{footer}</p>'
        '</div></body></html>').format(page=PAGE, brand=brand, card=CARD, body=body, footer=footer))
