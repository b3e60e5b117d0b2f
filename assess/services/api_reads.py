"""What the JSON API reads for an applicant-tracking system, a page at a time; each read that shows
candidates' identities is recorded in the audit log as the token that asked, and committed here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ..domain.paging import Page, offset_of
from ..models import Candidate, Opening, Scorecard
from . import audit, openings, scores


def _record(session: Session, action: str, subject_type: str, subject_id: int, *, token_id: int,
            now: datetime, **details: object) -> None:
    audit.record(session, action, now=now, actor=None, actor_kind="api", subject_type=subject_type,
                 subject_id=subject_id, token_id=token_id, **details)
    session.commit()


def openings_page(session: Session, *, page: int, per_page: int) -> Page[openings.OpeningSummary]:
    """One page of every opening, newest first."""
    every = openings.openings_for(session, None)
    start = offset_of(page, per_page)
    return Page(every[start:start + per_page], len(every), page, per_page)


def candidates_page(session: Session, opening: Opening, *, page: int, per_page: int, token_id: int,
                    now: datetime) -> Page[Candidate]:
    """One page of the opening's candidates, newest first; the listing is audited."""
    total = openings.count_candidates(session, opening)
    chosen = openings.candidates_of(session, opening, limit=per_page, offset=offset_of(page, per_page))
    _record(session, "candidates.listed", "opening", opening.id, token_id=token_id, now=now, page="api",
            shown=len(chosen))
    return Page(chosen, total, page, per_page)


def candidate(session: Session, opening: Opening, candidate_id: int, *, token_id: int, now: datetime) -> Candidate:
    """One candidate of the opening; the view is audited."""
    found = openings.candidate_of(session, opening, candidate_id)
    _record(session, "candidate.viewed", "candidate", found.id, token_id=token_id, now=now, page="api")
    return found


def scorecards_page(session: Session, opening: Opening, *, page: int, per_page: int) -> Page[Scorecard]:
    """One page of the opening's submitted scorecards."""
    return Page(scores.submitted_scorecards(session, opening, limit=per_page, offset=offset_of(page, per_page)),
                scores.count_submitted(session, opening), page, per_page)
