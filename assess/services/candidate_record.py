"""Everything scored about one candidate, for the hiring manager; reading it is a view of their identity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ..content.schema import Scorecard
from ..models import Assignment, Candidate, Decision, Opening, User
from . import audit, openings, results, scorecards
from .content import scorecard_of


@dataclass(frozen=True)
class Card:
    """One interviewer's work on one of the candidate's exercises, with the scorecard it was scored against."""

    assignment: Assignment
    content: Scorecard | None


@dataclass(frozen=True)
class CandidateRecord:
    person: Candidate
    cards: list[Card]
    decisions: list[Decision]


def record_of(session: Session, opening: Opening, candidate_id: int, *, viewer: User,
              now: datetime) -> CandidateRecord:
    """The candidate's scorecards, AI drafts and decisions; the look is audited and committed."""
    person = openings.candidate_of(session, opening, candidate_id)
    cards = [Card(a, scorecard_of(a.scorecard.scorecard_version) if a.scorecard is not None else None)
             for a in scorecards.candidate_scorecards(session, person)]
    record = CandidateRecord(person=person, cards=cards,
                             decisions=results.decisions_of(session, person))
    audit.record(session, "candidate.viewed", actor=viewer, subject_type="candidate", subject_id=person.id,
                 now=now)
    session.commit()
    return record
