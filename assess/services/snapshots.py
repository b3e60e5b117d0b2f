"""Calibration worked out once per change of an opening's ratings and stored, for every page and the API to read.

Every change to the ratings the model reads (a scorecard submitted, reopened or approved for revision, an AI
draft made) adds one to the opening's ratings version in the same transaction and asks the worker, through
the effects door, to calibrate the new version. The worker fits the model, stores the summary and the ranked
rows, and forgets older versions. Pages read it through `calibration_reads`; they never fit.
"""

from __future__ import annotations

import dataclasses
import math
import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..content import ContentLibrary
from ..domain.calibration import CandidateEstimate
from ..errors import NotFound
from ..models import CalibrationSnapshot, CalibrationSnapshotRow, Opening, RatingsVersion
from . import calibration_report, results
from .effects import Effect, later
from .scores import FIRST, REVISED, scored_cards

# A worker that claimed a calibration and has not finished it in this long is taken to have died.
STALLED = timedelta(minutes=2)  # the largest opening measured fits in about 30 s
# The views worked out as soon as the ratings change; a view without one interviewer is worked out when asked.
EAGER = ((FIRST, 0), (REVISED, 0))


# -- asking for a calibration -----------------------------------------------------------------------------


def _add(session: Session, opening_id: int, ratings: str, without: int, version: int,
         now: datetime) -> CalibrationSnapshot:
    snapshot = CalibrationSnapshot(opening_id=opening_id, ratings=ratings, without=without, ratings_version=version,
                                   requested_at=now)
    session.add(snapshot)
    session.flush()
    later(session, Effect.CALIBRATION, snapshot)
    return snapshot


def ratings_changed(session: Session, opening_id: int, now: datetime) -> int:
    """Count one more change to the opening's ratings and ask for its calibration; returns the new version.

    The count is raised in the database, in its own row, so two changes committed at the same moment get two
    versions: the second waits for the first to commit, and neither waits on a lock the other holds."""
    upsert = (postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert)(RatingsVersion)
    version: int = session.execute(
        upsert.values(opening_id=opening_id, version=1)
        .on_conflict_do_update(index_elements=[RatingsVersion.opening_id],
                               set_={"version": RatingsVersion.version + 1})
        .returning(RatingsVersion.version)).scalar_one()
    for ratings, without in EAGER:
        _add(session, opening_id, ratings, without, version, now)
    return version


def current_version(session: Session, opening_id: int) -> int:
    return session.scalar(select(RatingsVersion.version).where(RatingsVersion.opening_id == opening_id)) or 0


def request(session: Session, opening: Opening, ratings: str, without: int, now: datetime) -> None:
    """Ask for the calibration of the ratings as they stand now, unless it is asked for or done already."""
    version = current_version(session, opening.id)
    if session.scalar(select(CalibrationSnapshot.id).where(*key_of(opening.id, ratings, without),
                                                          CalibrationSnapshot.ratings_version == version)):
        return
    try:
        with session.begin_nested():
            _add(session, opening.id, ratings, without, version, now)
    except IntegrityError:
        pass  # asked for at the same moment by another request


def key_of(opening_id: int, ratings: str, without: int) -> tuple[Any, ...]:
    return (CalibrationSnapshot.opening_id == opening_id, CalibrationSnapshot.ratings == ratings,
            CalibrationSnapshot.without == without)


# -- working it out (the worker) --------------------------------------------------------------------------


def _estimate(estimate: CandidateEstimate) -> dict[str, Any]:
    return dataclasses.asdict(estimate)


def _row(row: results.CandidateRow) -> dict[str, Any]:
    return {"estimate": _estimate(row.estimate), "rank": row.rank, "scorecards": row.scorecards,
            "by_dimension": row.by_dimension, "flags": list(row.flags), "raw_rank": row.raw_rank, "moved": row.moved,
            "why": row.why, "ahead_of_next": row.ahead_of_next}


def _finite(value: Any) -> Any:
    """JSON has no NaN or infinity: such a figure is stored as unknown."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _report(session: Session, opening: Opening) -> dict[str, Any]:
    cards = scored_cards(session, opening)
    rows, warnings = calibration_report.interviewer_report(session, opening, cards)
    return {
        "rows": [dataclasses.asdict(r) for r in rows], "warnings": warnings,
        "pairs": [dataclasses.asdict(p) for p in calibration_report.pairwise_agreement(session, opening, cards)],
        "agreement": calibration_report.dimension_agreement(session, opening, cards),
    }


def _summary(compared: results.Comparison) -> dict[str, Any]:
    return {
        "dimensions": compared.dimensions, "warnings": [dataclasses.asdict(w) for w in compared.warnings],
        "excluded": compared.excluded.id if compared.excluded else None,
        "dropped": [c.id for c in compared.dropped], "groups": compared.groups, "revised": compared.revised,
        "revised_candidates": sorted(compared.revised_candidates),
        "raters": [{"interviewer": r.interviewer.id, "leniency": r.leniency, "low": r.low, "high": r.high,
                    "ratings": r.ratings} for r in compared.raters],
        "ranked": len(compared.rows),
    }


def _claim(session: Session, snapshot_id: int, now: datetime) -> bool:
    claimed = session.execute(
        update(CalibrationSnapshot)
        .where(CalibrationSnapshot.id == snapshot_id, CalibrationSnapshot.computed_at.is_(None),
               (CalibrationSnapshot.started_at.is_(None)) | (CalibrationSnapshot.started_at < now - STALLED))
        .values(started_at=now), execution_options={"synchronize_session": False})
    session.commit()
    return bool(claimed.rowcount)


def compute(session: Session, library: ContentLibrary, snapshot_id: int, now: datetime) -> bool:
    """Work out one asked-for calibration and store it; False when there was nothing to do.

    The version is read before the ratings, so what is stored holds at least every change that version counts.
    A request overtaken by newer ratings is carried out at the newest version, or dropped if that is asked for."""
    if not _claim(session, snapshot_id, now):
        return False
    snapshot = session.get(CalibrationSnapshot, snapshot_id)
    if snapshot is None:
        return False
    key = key_of(snapshot.opening_id, snapshot.ratings, snapshot.without)
    version = current_version(session, snapshot.opening_id)
    if snapshot.ratings_version < version:
        if session.scalar(select(CalibrationSnapshot.id).where(*key, CalibrationSnapshot.ratings_version == version)):
            session.delete(snapshot)
            session.commit()
            return False
        snapshot.ratings_version = version
    opening = session.get(Opening, snapshot.opening_id)
    assert opening is not None  # the snapshot goes with its opening
    started = time.perf_counter()
    try:
        compared = results.comparison(session, library, opening, exclude=snapshot.without or None,
                                      ratings=snapshot.ratings)
    except NotFound as error:
        summary: dict[str, Any] = {"error": error.message}
        rows: list[results.CandidateRow] = []
    else:
        summary, rows = _summary(compared), compared.rows
    if (snapshot.ratings, snapshot.without) == (FIRST, 0):
        summary["report"] = _report(session, opening)
    session.execute(delete(CalibrationSnapshotRow).where(CalibrationSnapshotRow.snapshot_id == snapshot.id))
    session.add_all(CalibrationSnapshotRow(snapshot_id=snapshot.id, position=position, candidate_id=row.candidate.id,
                                           row=_finite(_row(row))) for position, row in enumerate(rows))
    snapshot.summary = _finite(summary)
    snapshot.seconds = round(time.perf_counter() - started, 3)
    snapshot.computed_at = now
    older = select(CalibrationSnapshot.id).where(*key, CalibrationSnapshot.ratings_version < snapshot.ratings_version)
    session.execute(delete(CalibrationSnapshotRow).where(CalibrationSnapshotRow.snapshot_id.in_(older)))
    session.execute(delete(CalibrationSnapshot).where(CalibrationSnapshot.id.in_(older)),
                    execution_options={"synchronize_session": False})
    session.commit()
    return True


def compute_due(session: Session, library: ContentLibrary, now: datetime) -> int:
    """Every calibration asked for and not yet worked out, oldest first, and any opening whose newest ratings
    were never asked for; the periodic pick-up, and how the demo and benchmark seeds finish."""
    version = func.coalesce(RatingsVersion.version, 0)
    stale = select(Opening.id, version).outerjoin(RatingsVersion).where(
        ~exists().where(*key_of(Opening.id, FIRST, 0), CalibrationSnapshot.ratings_version == version))
    for opening_id, version in session.execute(stale).all():
        for ratings, without in EAGER:
            try:
                with session.begin_nested():
                    _add(session, opening_id, ratings, without, version, now)
            except IntegrityError:
                pass
    session.commit()
    due = session.scalars(select(CalibrationSnapshot.id).where(CalibrationSnapshot.computed_at.is_(None))
                          .order_by(CalibrationSnapshot.id)).all()
    return sum(compute(session, library, snapshot_id, now) for snapshot_id in due)
