"""Each candidate's stored stage as a state machine: whatever happens, in whatever order, the stage kept on
their row is the stage the facts show, read again in Python from the rows themselves.

Hypothesis drives the services with links opened, exercises started and handed in, interviewers assigned,
scorecards submitted and reopened, live-stage slots added, the opening's number of interviewers changed,
links resent, decisions recorded, and work assigned by itself as it arrives; after every step each candidate's stored stage must equal
domain.pipeline.stage_of over facts gathered here from their invitations, attempts, scorecards and
decisions, so the SQL that keeps the stage and the rule in Python must agree.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule, run_state_machine_as_test
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from assess.domain.pipeline import Facts, Stage, progress_of, stage_of
from assess.errors import AppError
from assess.models import Assignment, Attempt, Candidate, Decision, Role, ScorecardStatus
from assess.services import answering, attempts, decisions, invitations, links, opening_settings, pipeline, revisions, worklist
from tests.support.app import FrozenClock
from tests.support.machines import OnTheDatabase

EXERCISES = ("a-mini-prd", "b-analytics")
LIVE = "c-stakeholder-roleplay"
SEEN: set[Stage] = set()  # every stage some run reached, so the test is known to go everywhere
WHO = st.sampled_from((0, 1))
EXERCISE = st.sampled_from(EXERCISES)
READER = st.sampled_from((0, 1, 2))


def facts_of(session: Session, candidate: Candidate) -> Facts:
    """The facts of a candidate's stage, read from their rows one by one (no SQL of the pipeline's)."""
    session.refresh(candidate)
    needed = candidate.opening.interviewers_per_submission
    tries = list(session.scalars(select(Attempt).where(Attempt.candidate_id == candidate.id)))

    def unscored(attempt: Attempt) -> bool:
        cards = [a.scorecard for a in attempt.assignments]
        return len(cards) < needed or any(c is None or c.status is not ScorecardStatus.SUBMITTED for c in cards)

    work = [a for a in tries if a.submission is not None or a.started_at is None]
    return Facts(
        opened=any(i.first_used_at is not None for i in candidate.invitations),
        started=any(a.started_at is not None for a in tries),
        handed_in=any(a.submission is not None for a in tries),
        under_way=any(a.started_at is not None and a.submission is None for a in tries),
        unscored=any(unscored(a) for a in work),
        decided=session.scalar(select(Decision.id).where(Decision.candidate_id == candidate.id).limit(1)) is not None,
    )


class Pipeline(OnTheDatabase):
    """Two candidates in one opening, three interviewers and their hiring manager."""

    def __init__(self, app: Flask, connection: Connection, clock: FrozenClock) -> None:
        super().__init__(app, connection, clock)
        self.manager = self.make.user(Role.HIRING_MANAGER)
        self.readers = [self.make.user(Role.INTERVIEWER) for _ in range(3)]
        self.opening = self.make.opening(self.manager, exercises=[(EXERCISES[0], 60), (EXERCISES[1], 60), (LIVE, 30)])
        self.opening.interviewers_per_submission = 1  # the steps may ask for more
        self.session.commit()
        invited = [self.make.invite(self.opening) for _ in range(2)]
        self.candidates = [i.candidate for i in invited]
        self.tokens = [i.link.rsplit("/", 1)[-1] for i in invited]

    def _try(self, step: Any) -> None:
        """Run a step; a refusal (a closed window, work not handed in, a decision not ready) is fine, and ends
        the request as a refused one would."""
        try:
            step()
        except AppError:
            self.session.rollback()
        self.clock.advance(minutes=1)

    def _attempt(self, who: int, key: str) -> Attempt | None:
        return self.session.scalar(select(Attempt).where(Attempt.candidate_id == self.candidates[who].id,
                                                         Attempt.exercise_key == key))

    # -- the steps -------------------------------------------------------------------------------------

    @rule(who=WHO)
    def open_the_link(self, who: int) -> None:
        self._try(lambda: links.redeem(self.session, self.tokens[who], self.clock.now))

    @rule(who=WHO)
    def resend_the_link(self, who: int) -> None:
        def step() -> None:
            sent = invitations.resend(self.session, self.make.config, self.make.library, self.candidates[who],
                                      actor=self.manager, now=self.clock.now)
            self.tokens[who] = sent.link.rsplit("/", 1)[-1]
        self._try(step)

    @rule(who=WHO, key=EXERCISE)
    def start(self, who: int, key: str) -> None:
        self._try(lambda: attempts.start(self.session, self.make.library, self.candidates[who], key,
                                         now=self.clock.now))

    @rule(who=WHO, key=EXERCISE)
    def hand_in(self, who: int, key: str) -> None:
        attempt = self._attempt(who, key)
        if attempt is not None:
            self._try(lambda: answering.submit(self.session, self.make.config, attempt,
                                               answers=self.make.benchmark_answers(key), now=self.clock.now))

    def _work(self) -> list[Attempt]:
        """Every attempt there is to score: handed in, or a live stage's slot."""
        ids = [c.id for c in self.candidates]
        return [a for a in self.session.scalars(select(Attempt).where(Attempt.candidate_id.in_(ids))
                                                .order_by(Attempt.id))
                if a.submission is not None or a.started_at is None]

    def _cards(self, submitted: bool) -> list[Assignment]:
        return [a for work in self._work() for a in work.assignments
                if (a.scorecard is not None and a.scorecard.status is ScorecardStatus.SUBMITTED) == submitted]

    @rule(pick=st.integers(0, 99), reader=READER)
    def assign(self, pick: int, reader: int) -> None:
        work = self._work()
        if work:
            attempt = work[pick % len(work)]
            self._try(lambda: self.make.assignment(attempt, self.readers[reader], self.manager))

    @rule(pick=st.integers(0, 99), submit=st.booleans())
    def score(self, pick: int, submit: bool) -> None:
        open_ = self._cards(submitted=False)
        if open_:
            assignment = open_[pick % len(open_)]
            self._try(lambda: self.make.scorecard(assignment, 3, submit=submit, actor=assignment.interviewer))

    @rule(who=WHO)
    def score_all_of_it(self, who: int) -> None:
        """Every exercise the candidate can still do started and handed in, then assigned to as many interviewers
        as the opening asks, and scored: the long way to a decision, in one step."""
        for key in EXERCISES:
            self.start(who, key)
            self.hand_in(who, key)
        for attempt in self._work():
            if attempt.candidate_id != self.candidates[who].id:
                continue
            for reader in self.readers[len(attempt.assignments):self.opening.interviewers_per_submission]:
                self._try(lambda: self.make.assignment(attempt, reader, self.manager))
            for assignment in list(attempt.assignments):
                if assignment.scorecard is None or assignment.scorecard.status is not ScorecardStatus.SUBMITTED:
                    self._try(lambda: self.make.scorecard(assignment, 3, actor=assignment.interviewer))

    @rule(pick=st.integers(0, 99))
    def reopen(self, pick: int) -> None:
        done = self._cards(submitted=True)
        if done:
            assignment = done[pick % len(done)]
            self._try(lambda: revisions.reopen(self.session, assignment, "A reason to look at it again.",
                                               actor=assignment.interviewer, now=self.clock.now))

    @rule()
    def add_live_stages(self) -> None:
        self._try(lambda: worklist.ensure_live_stages(self.session, self.make.library, self.opening))

    @rule(needed=st.integers(1, 3), auto=st.booleans(), gap=st.sampled_from((None, 2)))
    def change_the_settings(self, needed: int, auto: bool, gap: int | None) -> None:
        """The number of interviewers asked for, and whether work is assigned by itself as it arrives and a
        third interviewer asked for on a disagreement."""
        o = self.opening
        changes = opening_settings.OpeningChanges(
            invitation_valid_days=o.invitation_valid_days, interviewers_per_submission=needed,
            ai_enabled=o.ai_enabled, ai_draft_timing=o.ai_draft_timing, ai_notice=o.ai_notice,
            calibration_required=o.calibration_required, retention_days=o.retention_days, auto_assign=auto,
            expiry_reminder_days=o.expiry_reminder_days or [], overdue_reminder_days=o.overdue_reminder_days,
            third_interviewer_gap=gap)
        self._try(lambda: opening_settings.update_settings(self.session, o, changes, actor=self.manager, now=self.clock.now))

    @rule(who=WHO, outcome=st.sampled_from(("advance", "hold", "reject")))
    def decide(self, who: int, outcome: str) -> None:
        self._try(lambda: decisions.decide(self.session, self.make.library, self.opening, self.candidates[who],
                                           outcome, "The scorecards say enough to decide.", actor=self.manager,
                                           now=self.clock.now))

    @rule(hours=st.integers(1, 400))
    def time_passes(self, hours: int) -> None:
        self.clock.advance(minutes=60 * hours)
        self._try(lambda: answering.sweep(self.session, self.make.config, now=self.clock.now))

    # -- what must always hold --------------------------------------------------------------------------

    @invariant()
    def each_stored_stage_is_the_stage_the_facts_show(self) -> None:
        self.session.expire_all()
        for candidate in self.candidates:
            facts = facts_of(self.session, candidate)
            assert (candidate.stage, candidate.progress) == (stage_of(facts), progress_of(facts)), candidate.id
            SEEN.add(candidate.stage)

    @invariant()
    def the_counts_add_up_to_everyone(self) -> None:
        counted = pipeline.counts(self.session, [self.opening.id])[self.opening.id]
        assert counted.stages == {s: n for s in Stage if (n := sum(1 for c in self.candidates if c.stage is s))}
        assert counted.progress == {s: n for s in Stage if (n := sum(1 for c in self.candidates if c.progress is s))}
        assert counted.funnel[0].reached == 2


def test_each_candidates_stored_stage_follows_the_facts_whatever_the_order(
    app: Flask, connection: Connection, clock: FrozenClock
) -> None:
    SEEN.clear()
    run_state_machine_as_test(
        lambda: Pipeline(app, connection, clock),
        settings=settings(max_examples=40, stateful_step_count=30, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow]),
    )
    assert SEEN == set(Stage), f"no run reached {set(Stage) - SEEN}"
