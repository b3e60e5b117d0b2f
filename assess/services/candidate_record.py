"""Everything scored about one candidate, for the hiring manager; reading it is a view of their identity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ..models import Assignment, Candidate, Decision, Opening, User
from . import audit, openings, results, scoring


@dataclass(frozen=True)
class CandidateRecord:
    person: Candidate
    cards: list[Assignment]
    decisions: list[Decision]


def record_of(session: Session, opening: Opening, candidate_id: int, *, viewer: User,
              now: datetime) -> CandidateRecord:
    """The candidate's scorecards, AI drafts and decisions; the look is audited and committed."""
    person = openings.candidate_of(session, opening, candidate_id)
    record = CandidateRecord(person=person, cards=scoring.candidate_scorecards(session, person),
                             decisions=results.decisions_of(session, person))
    audit.record(session, "candidate.viewed", actor=viewer, subject_type="candidate", subject_id=person.id,
                 now=now)
    session.commit()
    return record
