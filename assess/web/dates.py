"""The one way a page shows a moment: a <time> with its ISO instant and a UTC text.

static/js/local-time.js rewrites every such <time> into the reader's own time zone;
without JavaScript the UTC text stays, and says so.
"""

from __future__ import annotations

from datetime import UTC, datetime

from markupsafe import Markup

# The styles a template may ask for, as the UTC text shows them; local-time.js knows the same names.
STYLES: dict[str, str] = {
    "date": "%d %b %Y",
    "day": "%d %b",
    "datetime": "%d %b %Y %H:%M",
    "daytime": "%d %b %H:%M",
    "time": "%H:%M",
    "seconds": "%H:%M:%S",
    "stamp": "%d %b %Y %H:%M:%S",
}
# Styles that show only a date carry no zone in their text.
DATE_ONLY = frozenset({"date", "day"})


def when(value: datetime | None, style: str = "datetime") -> Markup:
    """A Jinja filter: {{ moment | when("daytime") }}; nothing for None. A naive datetime is taken as UTC."""
    if value is None:
        return Markup("")
    if style not in STYLES:
        raise ValueError(f"unknown date style {style!r}; use one of {', '.join(STYLES)}")
    moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    text = moment.strftime(STYLES[style]) + ("" if style in DATE_ONLY else " UTC")
    iso = moment.isoformat(timespec="seconds").replace("+00:00", "Z")
    # The instant, a style name from STYLES and strftime's digits and month names: nothing here needs escaping,
    # and a page lists hundreds of these (Markup.format costs ten times as much).
    return Markup(f'<time datetime="{iso}" data-style="{style}">{text}</time>')


def ago(value: datetime, now: datetime) -> str:
    """How long before now a moment was, in words a reader takes in at a glance: "4 minutes ago"."""
    seconds = max(0, int((now - value).total_seconds()))
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "moments ago"
