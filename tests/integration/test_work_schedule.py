"""Work that moves by itself as a state machine: whatever candidates and interviewers do, in whatever order, and
however the jobs run as time passes, handed-in work has its interviewers, a third comes only on a wide
disagreement, each interviewer is told of each piece once, and no reminder or digest goes twice or early.

Hypothesis drives links opened, exercises started and handed in (by the candidate or the deadline sweep),
scorecards submitted and reopened, the interviewers' choice of emails, scoring closed, and time passing with
the worker's periodic jobs run, sometimes twice in a row, as two workers would.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule, run_state_machine_as_test
from sqlalchemy import Connection, func, select

from assess.domain.reminders import DIGEST_HOUR_UTC
from assess.errors import AppError
from assess.models import (
    Assignment, Attempt, AuditEvent, Invitation, OutboundEmail, ReminderKind, ReminderSent, Role, ScorecardStatus,
    ScoringState,
)
from assess.services import answering, attempts, links, reminders, revisions, scoring_state, work_mail
from tests.support.app import FrozenClock
from tests.support.machines import OnTheDatabase

EXERCISES = ("a-mini-prd", "b-analytics")
WHO = st.sampled_from((0, 1))
EXERCISE = st.sampled_from(EXERCISES)
SEEN: Counter[str] = Counter()  # what some run got to, so the test is known to reach the rules it checks
PER_ITEM = 2
GAP = 2
EVERY = 1
START = datetime(2026, 11, 2, 5, 0, tzinfo=UTC)  # before the digest hour


class Schedule(OnTheDatabase):
    """Two candidates in an opening that assigns by itself, four interviewers and their hiring manager."""

    def __init__(self, app: Flask, connection: Connection, clock: FrozenClock) -> None:
        super().__init__(app, connection, clock)
        clock.now = START  # each run from the same moment, so a failing run replays as it went
        self.manager = self.make.user(Role.HIRING_MANAGER)
        self.readers = [self.make.user(Role.INTERVIEWER) for _ in range(4)]  # room for more than a third
        self.opening = self.make.opening(self.manager, exercises=[(EXERCISES[0], 60), (EXERCISES[1], 60)],
                                         auto_assign=True, invitation_valid_days=5)
        self.opening.third_interviewer_gap = GAP
        self.opening.overdue_reminder_days = EVERY
        self.opening.expiry_reminder_days = [3, 1]
        self.session.commit()
        invited = [self.make.invite(self.opening) for _ in range(2)]
        self.candidates = [i.candidate for i in invited]
        self.tokens = [i.link.rsplit("/", 1)[-1] for i in invited]
        self.announced_up_to = 0  # the newest assignment the worker has seen

    def _try(self, step: Any) -> None:
        try:
            step()
        except AppError:
            self.session.rollback()
        self.clock.advance(minutes=1)

    def _attempt(self, who: int, key: str) -> Attempt | None:
        return self.session.scalar(select(Attempt).where(Attempt.candidate_id == self.candidates[who].id,
                                                         Attempt.exercise_key == key))

    def _assignments(self, submitted: bool) -> list[Assignment]:
        found = self.session.scalars(select(Assignment).order_by(Assignment.id)).all()
        return [a for a in found
                if (a.scorecard is not None and a.scorecard.status is ScorecardStatus.SUBMITTED) == submitted]

    # -- the steps -------------------------------------------------------------------------------------

    @rule(who=WHO)
    def open_the_link(self, who: int) -> None:
        self._try(lambda: links.redeem(self.session, self.tokens[who], self.clock.now))

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

    @rule(pick=st.integers(0, 99), value=st.integers(1, 4))
    def score(self, pick: int, value: int) -> None:
        waiting = self._assignments(submitted=False)
        if waiting:
            assignment = waiting[pick % len(waiting)]
            self._try(lambda: self.make.scorecard(assignment, value, actor=assignment.interviewer))

    @rule(who=WHO, key=EXERCISE, low=st.integers(1, 4), high=st.integers(1, 4))
    def hand_in_and_both_score(self, who: int, key: str, low: int, high: int) -> None:
        """The long way in one step: started, handed in, and both interviewers it was given score it."""
        self.start(who, key)
        self.hand_in(who, key)
        attempt = self._attempt(who, key)
        if attempt is not None:
            for assignment, value in zip(sorted(attempt.assignments, key=lambda a: a.id), (low, high)):
                if assignment.scorecard is None or assignment.scorecard.status is not ScorecardStatus.SUBMITTED:
                    self._try(lambda: self.make.scorecard(assignment, value, actor=assignment.interviewer))

    @rule(pick=st.integers(0, 99))
    def reopen(self, pick: int) -> None:
        done = self._assignments(submitted=True)
        if done:
            assignment = done[pick % len(done)]
            self._try(lambda: revisions.reopen(self.session, assignment, "A reason to look at it again.",
                                               actor=assignment.interviewer, now=self.clock.now))

    @rule()
    def close_scoring(self) -> None:
        self._try(lambda: scoring_state.close_scoring(self.session, self.opening, actor=self.manager,
                                                      now=self.clock.now))

    @rule(hours=st.integers(1, 60), twice=st.booleans())
    def time_passes(self, hours: int, twice: bool) -> None:
        self.clock.advance(minutes=60 * hours)
        for _ in range(2 if twice else 1):
            config, now = self.make.config, self.clock.now
            answering.sweep(self.session, config, now=now)
            reminders.send_due(self.session, self.make.library, config, now)
            work_mail.send_digests(self.session, config, now)
            work_mail.announce(self.session, config, now)
        self.announced_up_to = self.session.scalar(select(func.max(Assignment.id))) or 0

    # -- what must always hold --------------------------------------------------------------------------

    @invariant()
    def handed_in_work_has_its_interviewers_while_scoring_is_open(self) -> None:
        self.session.expire_all()
        handed_in = [a for a in self.session.scalars(select(Attempt)) if a.submission is not None]
        for attempt in handed_in:
            count = len(attempt.assignments)
            if self.opening.scoring_state is ScoringState.OPEN or attempt.submission.submitted_at < (
                    self.opening.scoring_closed_at or self.clock.now):
                assert count >= PER_ITEM, (attempt.id, count)
            assert count <= PER_ITEM + 1, (attempt.id, count)
            SEEN["assigned by itself"] += 1

    @invariant()
    def a_third_interviewer_only_after_the_scorecards_asked_for_were_far_apart(self) -> None:
        thirds = {event.subject_id for event in self.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "assignment.auto")) if
            event.details.get("reason") == "disagreement" and event.details.get("added")}
        for attempt in self.session.scalars(select(Attempt)):
            if len(attempt.assignments) > PER_ITEM:
                assert attempt.id in thirds
                first = sorted(attempt.assignments, key=lambda a: a.id)[PER_ITEM]
                assert first.assigned_by_id is None
                SEEN["third interviewer"] += 1

    @invariant()
    def each_interviewer_is_told_of_each_piece_once(self) -> None:
        self.session.expire_all()  # the jobs write with UPDATE statements, past this session's objects
        told: Counter[tuple[str, int]] = Counter()
        for to, body in self.session.execute(select(OutboundEmail.to_address, OutboundEmail.body_text)
                                             .where(OutboundEmail.subject.like("New scoring work%"))):
            for found in re.findall(r"/review/assignments/(\d+)", body):
                told[(to, int(found))] += 1
        assert all(n == 1 for n in told.values()), told
        for assignment in self.session.scalars(select(Assignment)):
            if assignment.id > self.announced_up_to:
                continue  # the worker has not run since it was made (these sessions hand nothing to it at once)
            assert assignment.notified_at is not None
            key = (assignment.interviewer.email, assignment.id)
            card = assignment.scorecard
            if (card is None or card.first_submitted_at is None) and self.opening.scoring_state is ScoringState.OPEN:
                assert told[key] == 1, key
            SEEN["told"] += told[key]

    @invariant()
    def reminders_come_on_their_day_and_never_twice(self) -> None:
        rows = self.session.scalars(select(ReminderSent)).all()
        assert len({(r.kind, r.subject_id, r.step) for r in rows}) == len(rows)
        for row in rows:
            if row.kind is ReminderKind.CANDIDATE_EXPIRY:
                invitation = self.session.get_one(Invitation, row.subject_id)
                window = invitation.expires_at - timedelta(days=row.step)
                assert invitation.created_at < window <= row.sent_at < invitation.expires_at
                SEEN["candidate reminded"] += 1
            else:
                assignment = self.session.get_one(Assignment, row.subject_id)
                assert assignment.due_at is not None
                assert row.sent_at >= assignment.due_at + timedelta(days=EVERY * (row.step - 1))
                SEEN["interviewer reminded"] += 1

    @invariant()
    def a_digest_at_most_once_a_day_and_not_before_its_hour(self) -> None:
        days: Counter[tuple[str, Any]] = Counter()
        for to, sent in self.session.execute(select(OutboundEmail.to_address, OutboundEmail.created_at)
                                             .where(OutboundEmail.subject.like("Your scoring today%"))):
            assert sent.hour >= DIGEST_HOUR_UTC
            days[(to, sent.date())] += 1
            SEEN["digest"] += 1
        assert all(n == 1 for n in days.values()), days


def test_work_moves_by_itself_whatever_happens_in_whatever_order(
    app: Flask, connection: Connection, clock: FrozenClock
) -> None:
    SEEN.clear()
    run_state_machine_as_test(
        lambda: Schedule(app, connection, clock),
        settings=settings(max_examples=30, stateful_step_count=25, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow]),
    )
    missing = {"assigned by itself", "third interviewer", "told", "candidate reminded", "interviewer reminded",
               "digest"} - set(SEEN)
    assert not missing, f"no run reached {missing}"
