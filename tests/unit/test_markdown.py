from html.parser import HTMLParser

import pytest

from assess.markdown import ALLOWED_TAGS, render


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.elements


def test_markdown_is_rendered_with_tables_and_quotes() -> None:
    html = render("# Title\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n\n> quoted")
    tags = [tag for tag, _ in elements(html)]
    assert {"h1", "table", "td", "blockquote"} <= set(tags)


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src=https://example.org></iframe>",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<svg onload=alert(1)>",
    ],
)
def test_nothing_executable_survives(payload: str) -> None:
    for tag, attributes in elements(render(payload)):
        assert tag in ALLOWED_TAGS
        assert not any(name.startswith("on") for name in attributes)
        href = (attributes.get("href") or "").strip().lower()
        assert not href.startswith(("javascript:", "data:", "vbscript:"))


def test_links_open_safely() -> None:
    [(tag, attributes)] = [e for e in elements(render("[site](https://example.org)")) if e[0] == "a"]
    assert attributes["href"] == "https://example.org"
    assert "noopener" in (attributes.get("rel") or "")
