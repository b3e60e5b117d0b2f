"""An opening's scorecards, ratings or calibrated results as CSV, safe to open in a spreadsheet; each download audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..content import ContentLibrary
from ..domain.spreadsheet import to_csv
from ..errors import NotFound, NotReady
from ..models import Candidate, Decision, Opening, Rating, User
from . import audit, calibration_reads, decisions, scores

RESULTS_HEADER = ["rank", "candidate", "email", "calibrated_score", "low_80", "high_80", "raw_mean", "scorecards",
                  "flags", "decision", "decided_at", "decided_by", "decision_reason"]
SCORECARDS_HEADER = ["candidate", "exercise", "interviewer", "dimension", "score", "evidence", "recommendation",
                     "submitted_at"]
NOT_RANKED = "not ranked: no submitted scorecard yet"
# One row per given score, people as pseudonyms: the long format lme4, ordinal and FACETS-style tools read.
RATINGS_HEADER = ["candidate", "rater", "exercise", "dimension", "score", "submitted_at"]


@dataclass(frozen=True)
class Export:
    filename: str
    body: str


def _results_rows(session: Session, _library: ContentLibrary, opening: Opening) -> list[list[object]]:
    """The stored ranking, every row; refused while the ratings it should rest on are still being calibrated."""
    stored = calibration_reads.read(session, opening, per_page=None)
    if stored.comparison is None or stored.changes_since:
        raise NotReady("The results are being worked out again after a change to the scorecards; download them "
                       "again in a minute.")
    decided = decisions.current_in(session, opening)
    ranked = [[r.rank, r.candidate.name, r.candidate.email, round(r.estimate.score, 3), round(r.estimate.low, 3),
               round(r.estimate.high, 3), round(r.estimate.raw_mean, 3), r.scorecards, "; ".join(r.flags),
               *_decision(decided.get(r.candidate.id))]
              for r in stored.comparison.rows]
    shown = {r.candidate.id for r in stored.comparison.rows}
    # Everyone else after the ranking, so every decision is in the export (a no-show's too).
    rest = [["", c.name, c.email, "", "", "", "", 0, NOT_RANKED, *_decision(decided.get(c.id))]
            for c in session.scalars(select(Candidate).where(Candidate.opening_id == opening.id)
                                     .order_by(Candidate.id)) if c.id not in shown]
    return ranked + rest


def _decision(decision: Decision | None) -> list[str]:
    if decision is None:
        return ["", "", "", ""]
    return [decision.outcome.value, decision.created_at.isoformat(), decision.decided_by.name, decision.rationale]


def _in_order(ratings: list[Rating]) -> list[Rating]:
    """A scorecard's ratings as they were made: the database returns them in no promised order."""
    return sorted(ratings, key=lambda rating: rating.id)


def _scorecard_rows(session: Session, _library: ContentLibrary, opening: Opening) -> list[list[object]]:
    return [[card.assignment.attempt.candidate.name, card.assignment.attempt.exercise_key,
             card.assignment.interviewer.name, rating.dimension_key, rating.score, rating.evidence,
             card.recommendation, card.submitted_at.isoformat() if card.submitted_at else ""]
            for card in scores.submitted_scorecards(session, opening) for rating in _in_order(card.ratings)]


def candidate_pseudonym(candidate_id: int) -> str:
    return f"c{candidate_id}"


def rater_pseudonym(interviewer_id: int) -> str:
    return f"r{interviewer_id}"


def _rating_rows(session: Session, _library: ContentLibrary, opening: Opening) -> list[list[object]]:
    """The ratings the Results page calibrates (each scorecard's first-submitted scores), without names, evidence
    or unscored dimensions: refitting them outside gives the page's numbers."""
    return [[candidate_pseudonym(card.candidate_id), rater_pseudonym(card.interviewer_id), card.exercise_key,
             dimension, score, card.submitted_at.isoformat() if card.submitted_at else ""]
            for card in scores.scored_cards(session, opening) for dimension, score in sorted(card.scores.items())
            if score is not None]


KINDS = {"results": (RESULTS_HEADER, _results_rows), "scorecards": (SCORECARDS_HEADER, _scorecard_rows),
         "ratings": (RATINGS_HEADER, _rating_rows)}


def export(session: Session, library: ContentLibrary, opening: Opening, kind: str, *, viewer: User,
           now: datetime) -> Export:
    """One kind of export of the opening; the download is recorded in the audit log before it is handed over."""
    if kind not in KINDS:
        raise NotFound(f"There is no {kind!r} export; choose one of: {', '.join(KINDS)}.")
    header, rows = KINDS[kind]
    body = to_csv(header, rows(session, library, opening))
    audit.record(session, "export.downloaded", actor=viewer, subject_type="opening", subject_id=opening.id,
                 now=now, kind=kind)
    session.commit()
    return Export(filename=f"{opening.slug}-{kind}.csv", body=body)
