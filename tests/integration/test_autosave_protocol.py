"""The autosave protocol as a state machine: any interleaving of tabs, reloads and a bad network.

Tabs behave as the work page's script does (assess/web/static/js/attempt.js):
they number their saves, keep the revision they last saw, keep a copy in the
browser, carry their id across a reload and, after a conflict, either continue
with their own text or switch to the newest saved copy. The network delays,
reorders, duplicates and drops requests and answers. The server is the real
service on a real database. Two promises must hold throughout: every text the
server acknowledged is still held (as the draft, a kept copy or the
submission), and once the network settles every tab's newest text is held too.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from assess.domain.autosave import SaveVerdict
from assess.models import Attempt
from assess.services import answering, attempts
from tests.support.app import FrozenClock
from tests.support.factories import Factory

KEY = "a-mini-prd"
SECTION = "problem_statement"
Words = tuple[str, ...]


@dataclass
class Sent:
    """A save on the wire."""

    page: int  # which page load sent it; answers to a page that is gone are never read
    tab_id: str
    seq: int
    base: int
    words: Words
    take_over: bool = False
    keep_as_copy: bool = False


@dataclass
class Answer:
    page: int
    sent: Sent
    verdict: SaveVerdict
    revision: int


@dataclass
class LocalCopy:
    seq: int
    base: int
    words: Words
    dirty: bool


@dataclass
class Tab:
    page: int
    tab_id: str
    seq: int
    base: int
    words: Words
    dirty: bool = False
    conflict: bool = False
    take_over: bool = False


@dataclass
class Browser:
    local: dict[str, LocalCopy] = field(default_factory=dict)


def words_of(answers: dict[str, str]) -> Words:
    return tuple(answers.get(SECTION, "").split())


def held_somewhere(held: list[Words], words: Words) -> bool:
    """Some held text keeps words: it is them, or grew from them (a tab's text only ever grows)."""
    return not words or any(text[: len(words)] == words for text in held)


def run_machine(app: Flask, make: Factory, clock: FrozenClock, db_session: Any) -> None:
    config = app.config["ASSESS"]
    opening = make.opening()
    counter = itertools.count(1)

    class AutosaveProtocol(RuleBasedStateMachine):
        @initialize()
        def start_an_attempt(self) -> None:
            candidate = make.invite(opening).candidate
            self.attempt: Attempt = attempts.start(db_session, make.library, candidate, KEY, now=clock.now)
            self.browser = Browser()
            self.tabs: list[Tab] = []
            self.wire: list[Sent] = []
            self.answers: list[Answer] = []
            self.acknowledged: list[Words] = []
            self.closed = False
            self.open_tab()

        # -- the server -------------------------------------------------------------------

        def held(self) -> list[Words]:
            attempt = attempts.lock(db_session, self.attempt)
            db_session.commit()
            texts = [words_of(copy.answers) for copy in attempt.copies]
            if attempt.draft is not None:
                texts.append(words_of(attempt.draft.answers))
            if attempt.submission is not None:
                texts.append(words_of(attempt.submission.answers))
            return texts

        def serve(self, sent: Sent) -> None:
            result = answering.save(
                db_session, self.attempt, {SECTION: " ".join(sent.words)}, client_id=sent.tab_id, seq=sent.seq,
                base_revision=sent.base, now=clock.now, take_over=sent.take_over, keep_as_copy=sent.keep_as_copy,
            )
            if result.stored:
                self.acknowledged.append(sent.words)
            self.answers.append(Answer(sent.page, sent, result.verdict, result.revision))

        def revision(self) -> tuple[int, Words]:
            attempt = attempts.lock(db_session, self.attempt)
            db_session.commit()
            return (attempt.draft.revision, words_of(attempt.draft.answers)) if attempt.draft else (0, ())

        # -- the page ---------------------------------------------------------------------

        def load_page(self, tab_id: str, seq: int) -> Tab:
            revision, words = self.revision()
            tab = Tab(page=next(counter), tab_id=tab_id, seq=seq, base=revision, words=words)
            own = self.browser.local.get(tab_id)
            if own is not None and own.dirty:
                tab.words, tab.base, tab.dirty = own.words, own.base, True
            live = {t.tab_id for t in self.tabs}
            for other_id, kept in list(self.browser.local.items()):
                if other_id == tab_id or other_id in live or not kept.dirty:
                    continue
                if kept.base == revision and not tab.dirty:
                    tab.words, tab.dirty = kept.words, True
                    del self.browser.local[other_id]
                else:
                    self.wire.append(Sent(tab.page, f"{other_id}-kept", max(1, kept.seq), kept.base, kept.words,
                                          keep_as_copy=True))
                    del self.browser.local[other_id]
            return tab

        def keep_locally(self, tab: Tab) -> None:
            self.browser.local[tab.tab_id] = LocalCopy(tab.seq, tab.base, tab.words, tab.dirty)

        def send(self, tab: Tab) -> Sent:
            tab.seq += 1
            sent = Sent(tab.page, tab.tab_id, tab.seq, tab.base, tab.words, take_over=tab.take_over)
            self.keep_locally(tab)
            self.wire.append(sent)
            return sent

        def read_answer(self, tab: Tab, answer: Answer) -> None:
            sent = answer.sent
            if answer.verdict in (SaveVerdict.ACCEPTED, SaveVerdict.DUPLICATE):
                tab.base = max(tab.base, answer.revision)
                tab.take_over = False
                tab.conflict = False
                tab.dirty = tab.words != sent.words
                self.keep_locally(tab)
            elif answer.verdict is SaveVerdict.OTHER_TAB:
                tab.conflict = True
                tab.dirty = tab.words != sent.words
            elif answer.verdict is SaveVerdict.CLOSED:
                tab.dirty = False

        # -- rules ------------------------------------------------------------------------

        @precondition(lambda self: len(self.tabs) < 3)
        @rule()
        def open_tab(self) -> None:
            self.tabs.append(self.load_page(f"tab-{next(counter):06d}", 0))
            tab = self.tabs[-1]
            if tab.dirty:
                self.keep_locally(tab)

        @precondition(lambda self: self.tabs)
        @rule(which=st.integers(0, 2), and_save=st.booleans())
        def type_a_word(self, which: int, and_save: bool) -> None:
            tab = self.tabs[which % len(self.tabs)]
            tab.words = (*tab.words, f"w{next(counter)}")
            tab.dirty = True
            self.keep_locally(tab)
            if and_save:
                self.send(tab)

        @precondition(lambda self: self.tabs)
        @rule(which=st.integers(0, 2))
        def autosave_fires(self, which: int) -> None:
            tab = self.tabs[which % len(self.tabs)]
            if tab.dirty:
                self.send(tab)

        @precondition(lambda self: self.tabs)
        @rule(which=st.integers(0, 2))
        def reload(self, which: int) -> None:
            index = which % len(self.tabs)
            tab = self.tabs[index]
            if tab.dirty:
                self.send(tab)  # the keepalive save as the page unloads
            self.tabs[index] = self.load_page(tab.tab_id, tab.seq)

        @precondition(lambda self: self.tabs)
        @rule(which=st.integers(0, 2))
        def close_tab(self, which: int) -> None:
            tab = self.tabs.pop(which % len(self.tabs))
            if tab.dirty:
                self.send(tab)

        @precondition(lambda self: any(t.conflict for t in self.tabs))
        @rule(which=st.integers(0, 2), at_once=st.booleans())
        def continue_with_this_tabs_text(self, which: int, at_once: bool) -> None:
            tab = [t for t in self.tabs if t.conflict][which % len([t for t in self.tabs if t.conflict])]
            tab.take_over = True
            tab.dirty = True
            sent = self.send(tab)
            if at_once:
                self.wire.remove(sent)
                self.serve(sent)

        @precondition(lambda self: any(t.conflict for t in self.tabs))
        @rule(which=st.integers(0, 2))
        def switch_to_the_newest_copy(self, which: int) -> None:
            tab = [t for t in self.tabs if t.conflict][which % len([t for t in self.tabs if t.conflict])]
            self.serve(self.send(tab))  # the page waits until the server holds this tab's text
            del self.browser.local[tab.tab_id]
            self.tabs[self.tabs.index(tab)] = self.load_page(f"tab-{next(counter):06d}", 0)

        @precondition(lambda self: self.wire)
        @rule(which=st.integers(0, 20), twice=st.booleans(), answered_at_once=st.booleans())
        def a_request_arrives(self, which: int, twice: bool, answered_at_once: bool) -> None:
            sent = self.wire[which % len(self.wire)]
            if not twice:
                self.wire.remove(sent)
            self.serve(sent)
            tab = next((t for t in self.tabs if t.page == sent.page), None)
            if answered_at_once and tab is not None:
                self.read_answer(tab, self.answers.pop())

        @precondition(lambda self: self.wire)
        @rule(which=st.integers(0, 20))
        def a_request_is_lost(self, which: int) -> None:
            self.wire.pop(which % len(self.wire))

        @precondition(lambda self: self.answers)
        @rule(which=st.integers(0, 20), lost=st.booleans())
        def an_answer_arrives(self, which: int, lost: bool) -> None:
            answer = self.answers.pop(which % len(self.answers))
            tab = next((t for t in self.tabs if t.page == answer.page), None)
            if tab is not None and not lost:
                self.read_answer(tab, answer)

        # Handing in ends an example, so it comes only once there is some history to hand in.
        @precondition(lambda self: not self.closed and self.tabs and len(self.acknowledged) >= 4)
        @rule(which=st.integers(0, 2))
        def submit(self, which: int) -> None:
            tab = self.tabs[which % len(self.tabs)]
            tab.seq += 1
            done = answering.save_and_submit(
                db_session, config, self.attempt, {SECTION: " ".join(tab.words)}, client_id=tab.tab_id,
                seq=tab.seq, base_revision=tab.base, now=clock.now,
            )
            if isinstance(done, answering.SaveResult):
                tab.conflict = True
                return
            self.acknowledged.append(tab.words)
            self.closed = True
            attempt = attempts.lock(db_session, self.attempt)
            db_session.commit()
            assert attempt.draft is not None and done.answers == attempt.draft.answers

        @precondition(lambda self: not self.closed and len(self.acknowledged) >= 4)
        @rule()
        def the_deadline_passes_and_the_sweep_runs(self) -> None:
            deadline = attempts.attempt_deadline(self.attempt)
            clock.now = deadline.closes_at
            answering.sweep(db_session, config, now=clock.now)
            self.closed = True

        # -- promises ---------------------------------------------------------------------

        @invariant()
        def acknowledged_text_is_never_lost(self) -> None:
            if not hasattr(self, "attempt"):
                return
            held = self.held()
            for words in self.acknowledged:
                assert held_somewhere(held, words), f"lost acknowledged text {words}"

        def teardown(self) -> None:
            if not hasattr(self, "attempt") or self.closed:
                return
            # The network settles: everything on the wire arrives, every page reads its answers,
            # every tab with something unsaved sends it once more, and a new tab opens.
            for _ in range(3):
                while self.wire:
                    self.serve(self.wire.pop(0))
                while self.answers:
                    answer = self.answers.pop(0)
                    tab = next((t for t in self.tabs if t.page == answer.page), None)
                    if tab is not None:
                        self.read_answer(tab, answer)
                for tab in self.tabs:
                    if tab.dirty or tab.conflict:
                        self.send(tab)
            self.open_tab()  # which puts back, or sends to be kept, what closed tabs left in the browser
            for tab in self.tabs:
                if tab.dirty:
                    self.send(tab)  # the page saves restored text as it saves typing
            while self.wire:
                self.serve(self.wire.pop(0))
            held = self.held()
            for tab in self.tabs:
                assert held_somewhere(held, tab.words), f"{tab.tab_id}'s newest text is not held"
            for kept in self.browser.local.values():
                if kept.dirty:
                    assert held_somewhere(held, kept.words), "text kept in the browser is not held"

    AutosaveProtocol.TestCase.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(AutosaveProtocol, settings=AutosaveProtocol.TestCase.settings)


def test_no_interleaving_of_tabs_reloads_and_network_faults_loses_a_word(
    app: Flask, make: Factory, clock: FrozenClock, db_session: Any
) -> None:
    run_machine(app, make, clock, db_session)
