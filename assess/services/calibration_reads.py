"""The stored calibration as pages and the API read it: the newest worked out, a page of its ranking, how current.

Nothing here fits a model: what is missing or out of date is asked for, and the worker works it out
(`snapshots`); meanwhile the reader is told the results are updating, and how old they are.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from ..domain.calibration import CandidateEstimate
from ..domain.model_notices import Notice
from ..domain.paging import offset_of, page_count
from ..errors import InputError, NotFound
from ..models import (
    Assignment,
    Attempt,
    CalibrationSnapshot,
    CalibrationSnapshotRow,
    Candidate,
    Opening,
    Scorecard,
    ScorecardStatus,
    User,
)
from . import audit, calibration_report, effects, results
from .scores import FIRST, RATINGS
from .snapshots import STALLED, current_version, key_of, request

UNRATED_NAMED = 20  # candidates not yet scored are counted, and this many named


@dataclass(frozen=True)
class Asked:
    """The calibration of the ratings as they stand, asked of the worker and not yet done."""

    requested_at: datetime
    started_at: datetime | None  # None: no worker has taken it up yet

    def waiting_too_long(self, now: datetime) -> bool:
        """Whether it has waited to be taken up, or to be finished, longer than a worker takes: the worker may be
        down (a worker that is up takes over a claim this old)."""
        return now - (self.started_at or self.requested_at) > STALLED


@dataclass
class Stored:
    """What a page shows of an opening's calibration: the newest one worked out, and how current it is."""

    comparison: results.Comparison | None  # None: no ranking read (none worked out yet, or not asked for)
    computed_at: datetime | None = None  # when the worker read the scorecards it worked from
    changes_since: int = 0  # changes to the ratings made since it was worked out
    ranked: int = 0
    page: int = 1
    per_page: int = 50
    unrated_count: int = 0
    report: dict[str, Any] = field(default_factory=dict)
    asked: Asked | None = None  # while updating: the request waiting for the worker
    without: User | None = None  # the interviewer left out, if one is

    @property
    def updating(self) -> bool:
        return self.computed_at is None or self.changes_since > 0

    @property
    def pages(self) -> int:
        return page_count(self.ranked, self.per_page)

    @property
    def first(self) -> int:
        return offset_of(self.page, self.per_page)


def _newest(session: Session, opening: Opening, ratings: str, without: int) -> CalibrationSnapshot | None:
    return session.scalars(select(CalibrationSnapshot).where(*key_of(opening.id, ratings, without),
                                                            CalibrationSnapshot.computed_at.is_not(None))
                           .order_by(CalibrationSnapshot.ratings_version.desc()).limit(1)).first()


def _candidate_row(candidate: Candidate, row: dict[str, Any]) -> results.CandidateRow:
    estimate = dict(row["estimate"])
    estimate["flags"] = tuple(estimate.get("flags") or ())
    return results.CandidateRow(
        candidate=candidate, estimate=CandidateEstimate(**estimate), rank=row["rank"], scorecards=row["scorecards"],
        by_dimension=row["by_dimension"], flags=list(row["flags"]), raw_rank=row["raw_rank"], moved=row["moved"],
        why=row["why"], ahead_of_next=row["ahead_of_next"])


def _rows(session: Session, snapshot_id: int, first: int, count: int | None,
          ranked: int) -> list[results.CandidateRow]:
    if first >= ranked:
        return []  # past the last page: nothing to read
    query = (select(Candidate, CalibrationSnapshotRow.row)
             .join(CalibrationSnapshotRow, CalibrationSnapshotRow.candidate_id == Candidate.id)
             .where(CalibrationSnapshotRow.snapshot_id == snapshot_id, CalibrationSnapshotRow.position >= first)
             .order_by(CalibrationSnapshotRow.position))
    if count is not None:
        query = query.limit(count)
    return [_candidate_row(candidate, row) for candidate, row in session.execute(query)]


def _unrated(session: Session, opening: Opening, snapshot_id: int, dropped: set[int]) -> tuple[int, list[Candidate]]:
    ranked = exists().where(CalibrationSnapshotRow.snapshot_id == snapshot_id,
                            CalibrationSnapshotRow.candidate_id == Candidate.id)
    where = (Candidate.opening_id == opening.id, ~ranked)
    count = (session.scalar(select(func.count()).select_from(Candidate).where(*where)) or 0) - len(dropped)
    named = session.scalars(select(Candidate).where(*where).order_by(Candidate.id)
                            .limit(UNRATED_NAMED + len(dropped))).all()
    return count, [c for c in named if c.id not in dropped][:UNRATED_NAMED]


def _users(session: Session, ids: set[int]) -> dict[int, User]:
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}


def _asked(session: Session, opening: Opening, ratings: str, without: int, version: int) -> Asked | None:
    found = session.execute(select(CalibrationSnapshot.requested_at, CalibrationSnapshot.started_at)
                            .where(*key_of(opening.id, ratings, without), CalibrationSnapshot.ratings_version == version,
                                   CalibrationSnapshot.computed_at.is_(None)).limit(1)).first()
    return Asked(found.requested_at, found.started_at) if found else None


def _left_out(session: Session, opening: Opening, exclude: int | None) -> User | None:
    """The interviewer a view leaves out: someone with a submitted scorecard in this opening, or not found (so
    no id names anyone else, and nothing is asked of the worker for it)."""
    if exclude is None:
        return None
    scored = exists().where(Assignment.interviewer_id == exclude, Assignment.attempt_id == Attempt.id,
                            Attempt.candidate_id == Candidate.id, Candidate.opening_id == opening.id,
                            Scorecard.assignment_id == Assignment.id, Scorecard.status == ScorecardStatus.SUBMITTED)
    if not session.scalar(select(scored)):
        raise NotFound("That interviewer has no scorecards in this opening; show the results with everyone.")
    return session.get(User, exclude)


def read(session: Session, opening: Opening, *, ratings: str = FIRST, exclude: int | None = None, page: int = 1,
         per_page: int | None = 50, ranking: bool = True) -> Stored:
    """The newest stored calibration and one page of its ranking (per_page None: every row; ranking False: the
    summary and report alone), without fitting."""
    if ratings not in RATINGS:
        raise InputError("Choose the first-submitted or the revised ratings.")
    if page < 1:
        raise InputError("Pages are numbered from 1.")
    snapshot = _newest(session, opening, ratings, exclude or 0)
    without = _left_out(session, opening, exclude)
    version = current_version(session, opening.id)
    if snapshot is None or snapshot.summary is None:
        return Stored(comparison=None, per_page=per_page or 50, without=without,
                      asked=_asked(session, opening, ratings, exclude or 0, version))
    summary = snapshot.summary
    if "error" in summary:
        raise NotFound(summary["error"])
    size = per_page or max(1, summary["ranked"])
    stored = Stored(comparison=None, computed_at=snapshot.computed_at, ranked=summary["ranked"], page=page,
                    per_page=size, changes_since=max(0, version - snapshot.ratings_version),
                    report=summary.get("report", {}), without=without)
    if stored.updating:
        stored.asked = _asked(session, opening, ratings, exclude or 0, version)
    if not ranking:
        return stored
    people = _users(session, {r["interviewer"] for r in summary["raters"]} | (
        {summary["excluded"]} if summary["excluded"] else set()))
    dropped = set(summary["dropped"])
    stored.unrated_count, unrated = _unrated(session, opening, snapshot.id, dropped)
    stored.comparison = results.Comparison(
        rows=_rows(session, snapshot.id, stored.first, size, stored.ranked),
        raters=[results.RaterRow(people[r["interviewer"]], r["leniency"], r["low"], r["high"], r["ratings"])
                for r in summary["raters"] if r["interviewer"] in people],
        dimensions=summary["dimensions"], warnings=[Notice(**w) for w in summary["warnings"]],
        excluded=people.get(summary["excluded"]) if summary["excluded"] else None,
        dropped=list(session.scalars(select(Candidate).where(Candidate.id.in_(dropped)).order_by(Candidate.id)))
        if dropped else [],
        groups=summary["groups"], unrated=unrated, ratings=ratings, revised=summary["revised"],
        revised_candidates=set(summary["revised_candidates"]),
    )
    return stored


@dataclass(frozen=True)
class Standing:
    """Where one candidate stands in the newest stored calibration of the first-submitted ratings."""

    row: results.CandidateRow | None  # None: not ranked in it (no submitted scorecard then)
    ranked: int
    computed_at: datetime
    changes_since: int

    @property
    def updating(self) -> bool:
        return self.changes_since > 0


def standing_of(session: Session, opening: Opening, candidate: Candidate, now: datetime) -> Standing | None:
    """The candidate's row of the newest stored calibration (None: none worked out yet); out of date, it is
    asked for again, as the results page would."""
    version = current_version(session, opening.id)
    snapshot = _newest(session, opening, FIRST, 0)
    if snapshot is None or version > snapshot.ratings_version:
        request(session, opening, FIRST, 0, now)
    if snapshot is None or snapshot.summary is None or "error" in snapshot.summary:
        return None
    found = session.scalar(select(CalibrationSnapshotRow.row).where(
        CalibrationSnapshotRow.snapshot_id == snapshot.id, CalibrationSnapshotRow.candidate_id == candidate.id))
    return Standing(row=_candidate_row(candidate, found) if found is not None else None,
                    ranked=snapshot.summary["ranked"], computed_at=snapshot.computed_at,
                    changes_since=max(0, version - snapshot.ratings_version))


def ranking_for(session: Session, opening: Opening, *, viewer: User | None, now: datetime, ratings: str = FIRST,
                exclude: int | None = None, page: int = 1, per_page: int | None = 50) -> Stored:
    """The stored ranking, asked for again if out of date; shown to a person (viewer), the view of their names
    is recorded."""
    stored = read(session, opening, ratings=ratings, exclude=exclude, page=page, per_page=per_page)
    if stored.updating:
        request(session, opening, ratings, exclude or 0, now)
    if viewer is not None:
        audit.record(session, "candidates.listed", actor=viewer, subject_type="opening", subject_id=opening.id,
                     now=now, page="results", shown=len(stored.comparison.rows) if stored.comparison else 0)
    effects.commit(session)
    if stored.updating:  # a worker in this process may have worked it out as the request committed
        stored = read(session, opening, ratings=ratings, exclude=exclude, page=page, per_page=per_page)
    return stored


def report(session: Session, opening: Opening, now: datetime) -> tuple[
        Stored, list[calibration_report.InterviewerReport], list[calibration_report.PairAgreement]]:
    """The interviewers' stored report, each row's distance from the reference scores read as it stands now."""
    stored = read(session, opening, ranking=False)
    if stored.updating:
        request(session, opening, FIRST, 0, now)
        effects.commit(session)
        stored = read(session, opening, ranking=False)
    found = stored.report
    distance = calibration_report.benchmark_distances(session, opening)
    rows = [dataclasses.replace(_report_row(r), benchmark_distance=distance.get(r["rater"]))
            for r in found.get("rows", [])]
    pairs = [calibration_report.PairAgreement(**p) for p in found.get("pairs", [])]
    return stored, rows, pairs


def _report_row(row: dict[str, Any]) -> calibration_report.InterviewerReport:
    return calibration_report.InterviewerReport(**{
        **row, "drift": [tuple(d) for d in row["drift"]], "flags": tuple(row["flags"])})
