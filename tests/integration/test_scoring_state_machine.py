"""The scoring life cycle as a state machine: any sequence of steps by any role keeps its rules.

Hypothesis drives the services with saves, submits, reopen requests, approvals, refusals, assignments,
closing and unblinding in any order, and checks each outcome against a model of the rules: once
scoring is closed nothing about a scorecard changes; first-submitted ratings never change; the
results read the first-submitted ratings.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule, run_state_machine_as_test
from sqlalchemy import Connection

from assess.domain.scoring import RatingInput, ScorecardInput
from assess.errors import Conflict
from assess.models import Assignment, Role, ScorecardStatus, ScoringState
from assess.services import assigning, revisions, scorecards, scores, scoring_state
from tests.support.app import FrozenClock
from tests.support.machines import OnTheDatabase

A = "a-mini-prd"
WHO = st.sampled_from((0, 1))
REASON = "A reason that says what to look at again."


class ScoringLifeCycle(OnTheDatabase):
    """Two interviewers on one piece of work, a third who may be added, and their hiring manager."""

    def __init__(self, app: Flask, connection: Connection, clock: FrozenClock) -> None:
        super().__init__(app, connection, clock)
        self.manager = self.make.user(Role.HIRING_MANAGER)
        self.people = [self.make.user(Role.INTERVIEWER) for _ in range(3)]
        self.attempt = self.make.submission(self.make.opening(self.manager), A, "meets")
        self.opening = self.attempt.candidate.opening
        self.assignments = [self._assign(self.people[i]).id for i in (0, 1)]
        # The model of what the rules allow.
        self.state = ScoringState.OPEN
        self.cards: list[str | None] = [None, None]
        self.first: list[int | None] = [None, None]
        self.pending: set[int] = set()
        self.revised: set[int] = set()
        self.third_assigned = False
        self.frozen: Any = None

    # -- helpers -------------------------------------------------------------------------------

    def _assign(self, who: Any) -> Assignment:
        return assigning.assign(self.session, self.opening, self.attempt.id, who.id, due_at=None, actor=self.manager,
                              now=self.clock.now)

    def _assignment(self, who: int) -> Assignment:
        return self.session.get(Assignment, self.assignments[who])  # type: ignore[return-value]

    def _expect(self, allowed: bool, step: Any) -> Any:
        """Run step; it must succeed exactly when the model allows it, and be refused with Conflict otherwise."""
        try:
            done = step()
        except Conflict:
            self.session.rollback()  # the end of the refused request
            assert not allowed, "the services refused a step the rules allow"
            return None
        assert allowed, "the services allowed a step the rules refuse"
        self.clock.advance(minutes=1)
        return done

    def _stored(self) -> list[tuple[Any, ...]]:
        self.session.expire_all()
        found = []
        for who in (0, 1):
            card = self._assignment(who).scorecard
            found.append(None if card is None else (
                card.status, card.submitted_at, card.first_submitted_at, card.revision_approved_at,
                tuple(sorted((r.dimension_key, r.score, r.first_score) for r in card.ratings))))
        return found

    # -- the steps -------------------------------------------------------------------------------

    @rule(who=WHO, value=st.integers(1, 5), submit=st.booleans())
    def save(self, who: int, value: int, submit: bool) -> None:
        allowed = self.state is ScoringState.OPEN and self.cards[who] != "submitted"
        content = self.make.library.scorecard(A).content
        given = ScorecardInput({k: RatingInput(value, "Quotes the funnel.") for k in content.dimension_keys}, "yes")
        self._expect(allowed, lambda: scorecards.save(self.session, self.make.library, self._assignment(who), given,
                                                   submit=submit, actor=self.people[who], now=self.clock.now))
        if allowed:
            self.cards[who] = "submitted" if submit else "draft"
            if submit and self.first[who] is None:
                self.first[who] = value

    @rule(who=WHO)
    def ask_to_reopen(self, who: int) -> None:
        other_seen = self.first[1 - who] is not None
        allowed = (self.state is ScoringState.OPEN and self.cards[who] == "submitted"
                   and not (other_seen and who in self.pending))
        done = self._expect(allowed, lambda: revisions.reopen(self.session, self._assignment(who), REASON,
                                                            actor=self.people[who], now=self.clock.now))
        if done is not None:
            assert (done.request is not None) == other_seen
            if other_seen:
                self.pending.add(who)
            else:
                self.cards[who] = "draft"

    @rule(who=WHO, approve=st.booleans(), by_admin=st.booleans())
    def decide(self, who: int, approve: bool, by_admin: bool) -> None:
        allowed = self.state is ScoringState.OPEN and who in self.pending
        actor = self.make.user(Role.ADMIN) if by_admin else self.manager
        self._expect(allowed, lambda: revisions.decide_revision(self.session, self.opening, self._assignment(who),
                                                              approve=approve, note="", actor=actor,
                                                              now=self.clock.now))
        if allowed:
            self.pending.discard(who)
            if approve:
                self.cards[who] = "draft"
                self.revised.add(who)

    @rule()
    def assign_a_third_reader(self) -> None:
        allowed = self.state is ScoringState.OPEN and not self.third_assigned
        self._expect(allowed, lambda: self._assign(self.people[2]))
        self.third_assigned |= allowed

    @rule()
    def assign_automatically(self) -> None:
        self._expect(self.state is ScoringState.OPEN, lambda: assigning.auto_assign(
            self.session, self.make.library, self.opening, actor=self.manager, now=self.clock.now))

    @rule()
    def close(self) -> None:
        allowed = self.state is ScoringState.OPEN
        self._expect(allowed, lambda: scoring_state.close_scoring(self.session, self.opening, actor=self.manager,
                                                             now=self.clock.now))
        if allowed:
            self.state, self.pending, self.frozen = ScoringState.CLOSED, set(), self._stored()

    @rule()
    def unblind(self) -> None:
        allowed = self.state is ScoringState.CLOSED
        self._expect(allowed, lambda: scoring_state.unblind(self.session, self.opening, actor=self.manager,
                                                       now=self.clock.now))
        if allowed:
            self.state = ScoringState.UNBLINDED

    # -- what must always hold ------------------------------------------------------------------------

    @invariant()
    def the_stored_scorecards_follow_the_rules(self) -> None:
        stored = self._stored()
        self.session.refresh(self.opening)
        assert self.opening.scoring_state is self.state
        for who, card in enumerate(stored):
            expected = self.cards[who]
            assert (card is None) == (expected is None)
            if card is None:
                continue
            status, _, first_at, revised_at, ratings = card
            assert status is (ScorecardStatus.SUBMITTED if expected == "submitted" else ScorecardStatus.DRAFT)
            assert (first_at is not None) == (self.first[who] is not None)
            assert {first for _, _, first in ratings} == {self.first[who]}, "first-submitted ratings changed"
            assert (revised_at is not None) == (who in self.revised)
        assert {r.scorecard.assignment.interviewer_id for r in revisions.pending_requests(self.session, self.opening)} \
            == {self.people[who].id for who in self.pending}

    @invariant()
    def nothing_changes_once_closed(self) -> None:
        if self.frozen is not None:
            assert self._stored() == self.frozen

    @invariant()
    def the_results_read_the_first_submitted_ratings(self) -> None:
        read = {card.interviewer_id: set(card.scores.values())
                for card in scores.scored_cards(self.session, self.opening)}
        assert read == {self.people[who].id: {self.first[who]} for who in (0, 1) if self.first[who] is not None}


def test_the_scoring_life_cycle_keeps_its_rules_whatever_the_order_of_steps(
    app: Flask, connection: Connection, clock: FrozenClock
) -> None:
    run_state_machine_as_test(
        lambda: ScoringLifeCycle(app, connection, clock),
        settings=settings(max_examples=25, stateful_step_count=25, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow]),
    )
