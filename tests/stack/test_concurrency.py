"""Requests that race each other through several gunicorn processes on PostgreSQL.

Each race releases two real HTTP requests at the same instant (a barrier between two threads), so
they are decided by different web processes at once. The count of races is bounded, and every
request has a timeout. What must hold: the newest acknowledged text is the stored one, exactly one
of two tabs that saw the same revision wins and the other's text is kept, no acknowledged save is
missing from the submission, and one submission and one receipt per exercise, never a 5xx.
"""

from __future__ import annotations

import html
import json
import re
import secrets
from typing import Any

import pytest

from tests.support.concurrency import at_once
from tests.support.http import Browser

OPENING = "/hiring/openings/apm-growth"
TAKE_HOMES = ("a-mini-prd", "b-analytics", "d-writing-sample")
TEXTAREA = r'<textarea[^>]*name="answer_{}"[^>]*>(.*?)</textarea>'


class Candidate:
    """A candidate's browser on one exercise."""

    def __init__(self, stack: str, manager: Browser) -> None:
        run = secrets.token_hex(4)
        self.name, self.email = f"Race Candidate {run}", f"race.{run}@example.net"
        status, _ = manager.post(f"{OPENING}/invite", OPENING, name=self.name, email=self.email)
        assert status == 302
        outbox = manager.get(f"{OPENING}/outbox")
        link = re.search(r"(/c/start/[A-Za-z0-9_-]{20,})", outbox[outbox.index(self.name):])
        assert link, "the invitation is in the outbox"
        self.browser = Browser(stack)
        assert self.browser.request(link.group(1))[0] == 302

    def start(self, key: str) -> None:
        self.key = key
        assert self.browser.post(f"/c/exercises/{key}/start", "/c/")[0] == 302
        page = self.browser.get(f"/c/exercises/{key}")
        self.token = html.unescape(re.search(r'name="csrf-token" content="([^"]+)"', page).group(1))  # type: ignore[union-attr]
        self.section = re.search(r'name="answer_([a-z_]+)"', page).group(1)  # type: ignore[union-attr]

    def save(self, tab: str, seq: int, base: int, text: str) -> tuple[int, dict[str, Any]]:
        status, _, body = self.browser.request(
            f"/c/exercises/{self.key}/autosave", headers={"X-CSRFToken": self.token},
            json_body={"client_id": tab, "seq": seq, "base_revision": base, "answers": {self.section: text}})
        return status, json.loads(body) if body.startswith("{") else {}

    def submit(self, tab: str, base: int, text: str) -> int:
        status, _ = self.browser.post(f"/c/exercises/{self.key}", f"/c/exercises/{self.key}", client_id=tab,
                                      base_revision=str(base), confirm="y", **{f"answer_{self.section}": text})
        return status

    def stored(self) -> str:
        page = self.browser.get(f"/c/exercises/{self.key}")
        found = re.search(TEXTAREA.format(self.section), page, re.S)
        assert found
        return html.unescape(found.group(1)).lstrip("\r\n")

    def page(self) -> str:
        return html.unescape(self.browser.get(f"/c/exercises/{self.key}"))

    def receipt(self) -> str:
        return html.unescape(self.browser.get(f"/c/exercises/{self.key}/receipt"))


@pytest.fixture(scope="module")
def manager(stack: str) -> Browser:
    browser = Browser(stack)
    browser.sign_in("hiring@example.com")
    return browser


def test_a_tabs_two_saves_in_flight_together_leave_the_newer_text_stored(stack: str, manager: Browser) -> None:
    candidate = Candidate(stack, manager)
    candidate.start("a-mini-prd")
    for n in range(1, 61, 2):
        older, newer = f"Draft {n} of the problem.", f"Draft {n + 1} of the problem, longer."
        first, second = at_once(lambda: candidate.save("tab-race-1", n, 0, older),
                                lambda: candidate.save("tab-race-1", n + 1, 0, newer))
        assert first[0] == 200 and second[0] == 200, (first, second)
        assert second[1]["status"] == "accepted"
        assert candidate.stored() == newer, f"round {n}: older text stored over newer"


def test_of_two_tabs_at_the_same_revision_exactly_one_wins_and_the_others_text_is_kept(
    stack: str, manager: Browser
) -> None:
    candidate = Candidate(stack, manager)
    candidate.start("a-mini-prd")
    revision = 0
    for n in range(30):
        texts = (f"Round {n} from the left tab.", f"Round {n} from the right tab.")
        left, right = at_once(lambda: candidate.save(f"tab-left-{n:04d}", 1, revision, texts[0]),
                              lambda: candidate.save(f"tab-right-{n:04d}", 1, revision, texts[1]))
        assert sorted([left[0], right[0]]) == [200, 409], (left, right)
        winner, loser = (texts[0], texts[1]) if left[0] == 200 else (texts[1], texts[0])
        assert candidate.stored() == winner
        assert loser in candidate.page(), "the losing tab's text is kept as a copy on the page"
        revision = (left if left[0] == 200 else right)[1]["revision"]


def test_a_save_racing_the_submit_is_either_in_the_submission_or_refused(stack: str, manager: Browser) -> None:
    for _ in range(3):
        candidate = Candidate(stack, manager)
        for key in TAKE_HOMES:
            candidate.start(key)
            assert candidate.save("tab-hand-in", 1, 0, "Both tabs saw this.")[1]["status"] == "accepted"
            saving, submitting = at_once(
                lambda: candidate.save("tab-other-1", 1, 1, "Both tabs saw this. The other tab went on."),
                lambda: candidate.submit("tab-hand-in", 1, "Both tabs saw this. This tab hands in."))
            assert saving[0] in (200, 409, 410) and submitting in (302, 409), (saving, submitting)
            if saving[0] == 200:
                # The save came first: handing in text that never saw it would lose it, so the
                # submit is refused with the choice of copies, and nothing is handed in yet.
                assert submitting == 409
                assert candidate.browser.request(f"/c/exercises/{key}/receipt")[0] == 302
                assert candidate.stored() == "Both tabs saw this. The other tab went on."
            else:
                assert submitting == 302
                assert "This tab hands in." in candidate.receipt()


def test_a_tabs_own_autosave_racing_its_submit_never_loses_the_submitted_words(
    stack: str, manager: Browser
) -> None:
    for _ in range(3):
        candidate = Candidate(stack, manager)
        for key in TAKE_HOMES:
            candidate.start(key)
            assert candidate.save("tab-own-1", 1, 0, "v1")[1]["status"] == "accepted"
            saving, submitting = at_once(lambda: candidate.save("tab-own-1", 2, 1, "v1 typed"),
                                         lambda: candidate.submit("tab-own-1", 1, "v1 typed FINAL"))
            assert submitting == 302 and saving[0] in (200, 410), (saving, submitting)
            assert "v1 typed FINAL" in candidate.receipt()
            if saving[0] == 200:
                assert saving[1]["revision"] <= 2, "a save was accepted after the hand-in"


def test_two_submits_at_once_make_one_submission_and_one_receipt(stack: str, manager: Browser) -> None:
    candidate = Candidate(stack, manager)
    for key in TAKE_HOMES:
        candidate.start(key)
        candidate.save("tab-double", 1, 0, f"Handed in once for {key}.")
        results = at_once(lambda: candidate.submit("tab-double", 1, f"Handed in once for {key}."),
                          lambda: candidate.submit("tab-double", 1, f"Handed in once for {key}."))
        assert results == [302, 302]
        assert f"Handed in once for {key}." in candidate.receipt()
    outbox = html.unescape(manager.get(f"{OPENING}/outbox"))
    receipts = re.findall(r"<strong>Received: ([^<]+)</strong><br>\s*<span[^>]*>To " + re.escape(candidate.email), outbox)
    assert len(receipts) == len(TAKE_HOMES), receipts


def test_the_first_save_sent_twice_at_once_is_stored_once(stack: str, manager: Browser) -> None:
    for _ in range(3):
        candidate = Candidate(stack, manager)
        for key in TAKE_HOMES:
            candidate.start(key)
            first, again = at_once(lambda: candidate.save("tab-twice-1", 1, 0, "The very first words."),
                                   lambda: candidate.save("tab-twice-1", 1, 0, "The very first words."))
            assert (first[0], again[0]) == (200, 200), (first, again)
            assert {first[1]["revision"], again[1]["revision"]} == {1}
            assert candidate.stored() == "The very first words."


def test_starting_an_exercise_twice_at_once_starts_it_once(stack: str, manager: Browser) -> None:
    for _ in range(3):
        candidate = Candidate(stack, manager)
        token = candidate.browser.csrf("/c/")
        for key in TAKE_HOMES:
            results = at_once(*[lambda: candidate.browser.request(f"/c/exercises/{key}/start",
                                                                  data={"csrf_token": token})[0]] * 2)
            assert results == [302, 302]


def mail_to(manager: Browser, email: str) -> int:
    """How many emails the opening's outbox lists for the address."""
    return html.unescape(manager.get(f"{OPENING}/outbox")).count(f'<span class="small muted">To {email} ')


def test_the_same_address_invited_twice_at_once_gets_one_invitation(stack: str, manager: Browser) -> None:
    for _ in range(5):
        run = secrets.token_hex(4)
        email = f"twice.{run}@example.net"
        token = manager.csrf(OPENING)
        results = at_once(*[lambda: manager.request(f"{OPENING}/invite", data={
            "csrf_token": token, "name": f"Twice {run}", "email": email})[0]] * 2)
        assert results == [302, 302]
        assert mail_to(manager, email) == 1


def test_two_resends_at_once_send_one_new_link(stack: str, manager: Browser) -> None:
    for _ in range(5):
        candidate = Candidate(stack, manager)
        page = manager.get(OPENING)
        row = page[page.index(candidate.email) if candidate.email in page else page.index(candidate.name):]
        action = re.search(r'action="(/hiring/openings/apm-growth/candidates/\d+/resend)"', row)
        replaces = re.search(r'name="replaces" value="(\d+)"', row)
        assert action and replaces
        token = manager.csrf(OPENING)
        results = at_once(*[lambda: manager.request(action.group(1), data={
            "csrf_token": token, "replaces": replaces.group(1)})[0]] * 2)
        assert results == [302, 302]
        assert mail_to(manager, candidate.email) == 2, "the invitation and exactly one new link"
