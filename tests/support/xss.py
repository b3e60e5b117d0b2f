"""XSS payloads, and a check that a page holds nothing a browser would run."""

from __future__ import annotations

from html.parser import HTMLParser

_VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"javascript:alert(1)\">",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<iframe srcdoc='<script>alert(1)</script>'></iframe>",
    "<body onload=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
    "<object data=javascript:alert(1)></object>",
    "<embed src=javascript:alert(1)>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<style>@import 'javascript:alert(1)';</style>",
    "<link rel=stylesheet href=javascript:alert(1)>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "<base href=javascript:alert(1)//>",
    "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<marquee onstart=alert(1)>x</marquee>",
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "![x](x\" onerror=\"alert(1))",
    "<javascript:alert(1)>",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "<!-- --><script>alert(1)</script>",
]
_WRAPPERS = ["{}", "Text before {} and after.", "# Heading {}", "- item {}", "> {}"]

PAYLOADS = [wrapper.format(vector) for vector in _VECTORS for wrapper in _WRAPPERS][:200]

_DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "base", "meta", "link", "frame", "frameset", "applet", "form"}
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "srcdoc", "background", "poster"}


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.script_types: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script":
            kind = attributes.get("type")
            if kind != "application/json" and attributes.get("src") is None:
                self.problems.append(f"inline script: {attrs}")
            if attributes.get("src") and not attributes["src"].startswith("/static/"):  # type: ignore[union-attr]
                self.problems.append(f"foreign script: {attrs}")
            return
        if tag in _DANGEROUS_TAGS - {"form", "link", "meta"}:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in _URL_ATTRIBUTES and value:
                compact = "".join(value.split()).lower()
                if compact.startswith(("javascript:", "vbscript:", "data:text")):
                    self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "style" and value and "javascript" in value.lower():
                self.problems.append(f"<{tag} style=...>")


def executable_content(html: str) -> list[str]:
    """Everything in the HTML a browser could run that our own pages never contain."""
    finder = _Finder()
    finder.feed(html)
    return finder.problems
