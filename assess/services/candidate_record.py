"""Everything scored about one candidate, for the hiring manager; reading it is a view of their identity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ..content.schema import Scorecard
from ..models import AiDraft, AiDraftStatus, Assignment, Candidate, Decision, Opening, User
from . import ai_use, audit, openings, results, scorecards
from .content import scorecard_of


@dataclass(frozen=True)
class Card:
    """One interviewer's work on one of the candidate's exercises, with the scorecard it was scored against."""

    assignment: Assignment
    content: Scorecard | None
    # The AI draft shown beside the ratings: the latest finished one, none once the candidate declined AI.
    draft: AiDraft | None = None


@dataclass(frozen=True)
class CandidateRecord:
    person: Candidate
    cards: list[Card]
    decisions: list[Decision]


def record_of(session: Session, opening: Opening, candidate_id: int, *, viewer: User,
              now: datetime) -> CandidateRecord:
    """The candidate's scorecards, AI drafts and decisions; the look is audited and committed, and each
    draft shown is recorded as seen by the viewer."""
    person = openings.candidate_of(session, opening, candidate_id)
    cards = [Card(a, scorecard_of(a.scorecard.scorecard_version), _shown_draft(person, a))
             if a.scorecard is not None else Card(a, None)
             for a in scorecards.candidate_scorecards(session, person)]
    record = CandidateRecord(person=person, cards=cards,
                             decisions=results.decisions_of(session, person))
    audit.record(session, "candidate.viewed", actor=viewer, subject_type="candidate", subject_id=person.id,
                 now=now)
    session.commit()
    for card in cards:
        ai_use.record_view(session, card.draft, viewer, now=now)
    return record


def _shown_draft(person: Candidate, assignment: Assignment) -> AiDraft | None:
    if person.ai_opted_out_at is not None or assignment.scorecard is None:
        return None
    done = [d for d in assignment.scorecard.ai_drafts if d.status is AiDraftStatus.DONE]
    return max(done, key=lambda d: d.id) if done else None
