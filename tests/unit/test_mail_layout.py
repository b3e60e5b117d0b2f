"""An email's HTML part is its plain text, escaped, with paragraphs, lines, lists and links as written."""

from __future__ import annotations

from assess.domain.mail_layout import blocks, html_version

TEXT = (
    "Hello Zoë <b>Bold</b> & Co,\r\n\r\n"
    "Your exercises:\n  - Mini-PRD (90 minutes)\n- Analytics (45 minutes)\n\n\n"
    "Your link: https://assess.example/c/start/abc_DEF-123?x=1&y=2.\n"
    "It works until Friday.\n\nMaya"
)


def test_paragraphs_are_split_on_blank_lines_and_keep_their_lines() -> None:
    assert blocks(TEXT) == [
        ["Hello Zoë <b>Bold</b> & Co,"],
        ["Your exercises:", "  - Mini-PRD (90 minutes)", "- Analytics (45 minutes)"],
        ["Your link: https://assess.example/c/start/abc_DEF-123?x=1&y=2.", "It works until Friday."],
        ["Maya"],
    ]
    assert blocks("\n \n") == [] and blocks("one") == [["one"]]


def test_the_html_is_escaped_with_lines_lists_and_links_as_written() -> None:
    html = html_version(TEXT, brand="Acme <Robotics>", footer="Reply to reach talent@acme.example.")
    assert "Zoë &lt;b&gt;Bold&lt;/b&gt; &amp; Co," in html and "<b>Bold</b>" not in html
    assert "Acme &lt;Robotics&gt;" in html and "Reply to reach talent@acme.example." in html
    url = "https://assess.example/c/start/abc_DEF-123?x=1&amp;y=2"
    assert f'<a href="{url}" style="color:#2f56d6;word-break:break-all">{url}</a>.<br>It works until Friday.' in html
    # The exercises' lead-in and its items are one paragraph; a list only where every line is an item.
    assert "Your exercises:<br>- Mini-PRD (90 minutes)<br>- Analytics (45 minutes)</p>" in html
    listed = html_version("- one\n  • two", brand="b", footer="f")
    assert '<ul style="margin:0 0 16px;padding-left:20px"><li style="margin:0 0 4px">one</li>' in listed
    assert '<li style="margin:0 0 4px">two</li></ul>' in listed
    assert html.startswith("<!doctype html>") and html.count("<p style=\"margin:0 0 16px\">") == 4


def test_a_link_ends_before_trailing_punctuation_and_quotes_never_open_an_attribute() -> None:
    html = html_version('See (https://a.example/x), then "https://b.example/y" or https://c.example/z!',
                        brand="b", footer="f")
    assert 'href="https://a.example/x"' in html and 'href="https://b.example/y"' in html
    assert 'href="https://c.example/z"' in html and "z!</a>" not in html
    quoted = html_version('https://x.example/"onmouseover=alert(1)', brand="b", footer="f")
    assert '>https://x.example/</a>&#34;onmouseover=alert(1)' in quoted
