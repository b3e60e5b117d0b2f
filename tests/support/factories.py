"""Factories: rows made through the services, with defaults a test overrides by keyword.

Every test module makes its staff, openings, candidates, attempts, assignments and
scorecards here, so a change to how one is made is a change in one place.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from assess.content import ContentLibrary
from assess.domain.scoring import RatingInput, ScorecardInput
from assess.models import Assignment, Attempt, Candidate, Opening, OpeningMember, Role, User
from assess.services import answering, assigning, attempts, invitations, openings, scorecards, users

TEST_PASSWORD = "correct horse battery"
A = "a-mini-prd"
A_DIMENSIONS = ("problem_framing", "requirements_quality", "analytics_measurement", "communication",
                "customer_empathy")
EVIDENCE = "Points at the funnel."


class Factory:
    """Makes rows with sensible defaults; pass keyword arguments to override them."""

    def __init__(self, session: Session, app: Flask) -> None:
        self.session = session
        self.app = app
        self.count = 0

    @property
    def library(self) -> ContentLibrary:
        return self.app.extensions["assess.content"]  # type: ignore[no-any-return]

    @property
    def config(self) -> Any:
        return self.app.config["ASSESS"]

    def now(self) -> Any:
        return self.app.extensions["assess.clock"]()

    def user(self, role: Role = Role.INTERVIEWER, **kwargs: Any) -> User:
        """A staff account in role, signing in with TEST_PASSWORD."""
        self.count += 1
        values: dict[str, Any] = {
            "email": f"{role.value}{self.count}@example.org",
            "name": f"{role.label} {self.count}",
            "password": TEST_PASSWORD,
        } | kwargs
        return users.create_user(self.session, role=role, now=self.now(), **values)

    def on_team(self, opening: Opening, *people: User) -> None:
        """Put hiring managers (co-owners) or recruiters on the opening's team."""
        for person in people:
            opening.team.append(OpeningMember(user=person, added_at=self.now()))
        self.session.commit()

    def opening(self, manager: User | None = None, **kwargs: Any) -> Opening:
        """An opening with every exercise, run by manager (a new hiring manager by default). Handed-in work is
        assigned by hand unless auto_assign=True, so a test meets only the assignments it makes."""
        self.count += 1
        defaults = {"title": f"APM opening {self.count}", "exercises": openings.default_exercises(self.library),
                    "auto_assign": False}
        return openings.create_opening(
            self.session, self.library, openings.OpeningSettings(**(defaults | kwargs)),
            hiring_manager=manager or self.user(Role.HIRING_MANAGER), now=self.now(),
        )

    def invite(self, opening: Opening, **kwargs: Any) -> Any:
        """Invite a new candidate to the opening; returns the Invited result with its link."""
        self.count += 1
        values = {"name": f"Candidate Person {self.count}", "email": f"person{self.count}@example.net"} | kwargs
        return invitations.invite(
            self.session, self.config, self.library, opening, actor=None, now=self.now(), **values
        )

    def attempt(self, opening_or_candidate: Opening | Candidate, key: str = A, **invite: Any) -> Attempt:
        """An attempt at key started now, by the candidate given or by a new one invited to the opening."""
        candidate = opening_or_candidate
        if isinstance(opening_or_candidate, Opening):
            candidate = self.invite(opening_or_candidate, **invite).candidate
        return attempts.start(self.session, self.library, candidate, key, now=self.now())  # type: ignore[arg-type]

    def benchmark_answers(self, key: str = A, benchmark: str = "meets") -> dict[str, str]:
        """The answers of one of key's benchmark submissions (none for an exercise without any)."""
        if key not in self.library.benchmarks:
            return {}
        return dict(self.library.benchmarks[key][benchmark].content.answers)

    def submission(
        self, opening: Opening, key: str = A, benchmark: str = "meets", *,
        answers: dict[str, str] | None = None, **invite: Any,
    ) -> Attempt:
        """A new candidate's attempt at key, handed in with a benchmark answer (or answers); returns the attempt."""
        attempt = self.attempt(opening, key, **invite)
        given = self.benchmark_answers(key, benchmark) if answers is None else answers
        answering.submit(self.session, self.config, attempt, answers=given, now=self.now())
        return attempt

    def assignment(self, attempt: Attempt, interviewer: User, manager: User | None = None, **kwargs: Any) -> Assignment:
        """Ask interviewer to score attempt, as the opening's hiring manager (or manager)."""
        values: dict[str, Any] = {"due_at": None, "now": self.now()} | kwargs
        opening = attempt.candidate.opening
        return assigning.assign(
            self.session, opening, attempt.id, interviewer.id, actor=manager or opening.hiring_manager, **values
        )

    def scorecard(
        self, assignment: Assignment, value: int, *, submit: bool = True, evidence: str = EVIDENCE,
        actor: User | None = None, recommendation: str = "yes",
    ) -> Any:
        """Rate every dimension of the assignment's exercise at value, saving or submitting the scorecard."""
        dimensions = self.library.scorecard(assignment.attempt.exercise_key).content.dimension_keys
        given = ScorecardInput({key: RatingInput(value, evidence) for key in dimensions}, recommendation)
        return scorecards.save(self.session, self.library, assignment, given, submit=submit,
                            actor=actor or assignment.interviewer, now=self.now())
