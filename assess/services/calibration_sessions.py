"""Calibration sessions: every interviewer scores the same benchmark answer, then sees the reference."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..content import ContentLibrary
from ..content.schema import Benchmark, Exercise, Scorecard
from ..domain.scoring import passes_calibration
from ..errors import Conflict, InputError, NotFound
from ..models import CalibrationEntry, CalibrationSession, ContentKind, Opening, User
from . import audit
from .content import benchmark_key, ensure_version
from .content import benchmark_of as stored_benchmark
from .scoring import interviewers


@dataclass(frozen=True)
class Reveal:
    dimension: str
    name: str
    reference: int
    scores: dict[str, int | None]  # interviewer name -> score


def create(
    session: Session, library: ContentLibrary, opening: Opening, key: str, *, actor: User, now: datetime
) -> CalibrationSession:
    """Start a session on one benchmark answer ("exercise/benchmark") for every active interviewer."""
    exercise_key, _, name = key.partition("/")
    if exercise_key not in {e.exercise_key for e in opening.exercises} or name not in library.benchmarks.get(exercise_key, {}):
        raise InputError("Choose one of the benchmark answers of this opening's exercises.")
    version, _ = ensure_version(session, ContentKind.BENCHMARK, benchmark_key(exercise_key, name),
                                library.benchmarks[exercise_key][name])  # type: ignore[arg-type]
    pool = interviewers(session)
    if not pool:
        raise Conflict("There are no active interviewers to calibrate.")
    created = CalibrationSession(opening=opening, exercise_key=exercise_key, benchmark_version=version,
                                 created_by_id=actor.id, created_at=now)
    created.entries = [CalibrationEntry(interviewer=user) for user in pool]
    session.add(created)
    session.flush()
    audit.record(session, "calibration.created", now=now, actor=actor, subject_type="calibration_session",
                 subject_id=created.id, benchmark=key)
    session.commit()
    return created


def sessions_of(session: Session, opening: Opening) -> list[CalibrationSession]:
    return list(session.scalars(
        select(CalibrationSession).where(CalibrationSession.opening_id == opening.id)
        .options(selectinload(CalibrationSession.entries).selectinload(CalibrationEntry.interviewer))
        .order_by(CalibrationSession.created_at.desc(), CalibrationSession.id.desc())
    ))


def session_of(session: Session, opening: Opening, session_id: int) -> CalibrationSession:
    found = session.get(CalibrationSession, session_id)
    if found is None or found.opening_id != opening.id:
        raise NotFound("There is no such calibration session in this opening.")
    return found


def entries_for(session: Session, interviewer: User) -> list[CalibrationEntry]:
    return list(session.scalars(
        select(CalibrationEntry).where(CalibrationEntry.interviewer_id == interviewer.id)
        .options(selectinload(CalibrationEntry.session).selectinload(CalibrationSession.opening))
        .order_by(CalibrationEntry.submitted_at.is_not(None), CalibrationEntry.id.desc())
    ))


def entry_for(session: Session, interviewer: User, entry_id: int) -> CalibrationEntry:
    entry = session.get(CalibrationEntry, entry_id)
    if entry is None or entry.interviewer_id != interviewer.id:
        raise NotFound("There is no calibration task of yours at this address.")
    return entry


def benchmark_of(entry_or_session: CalibrationEntry | CalibrationSession) -> Benchmark:
    cs = entry_or_session.session if isinstance(entry_or_session, CalibrationEntry) else entry_or_session
    return stored_benchmark(cs.benchmark_version)


def submit(
    session: Session, scorecard: Scorecard, entry: CalibrationEntry, scores: dict[str, int | None], *, now: datetime
) -> CalibrationEntry:
    """Record the interviewer's scores once, before the reveal; every dimension must be on the scale."""
    # The entry's row is held so a second tab waits and then sees it scored; the session's is shared, so a
    # reveal waits for scores already being sent.
    session.scalars(select(CalibrationEntry).where(CalibrationEntry.id == entry.id).with_for_update()
                    .execution_options(populate_existing=True)).one()
    revealed = session.scalar(select(CalibrationSession.revealed_at)
                              .where(CalibrationSession.id == entry.session_id).with_for_update(read=True))
    if entry.submitted_at is not None:
        raise Conflict("You have already scored this benchmark.")
    if revealed is not None:
        raise Conflict("This session was revealed before you scored, so scores can no longer be added. You are "
                       "left out of its pass and fail; ask the hiring manager for a place in the next session.")
    missing = [d.dimension.name for d in scorecard.dimensions if scores.get(d.dimension.key) is None]
    if missing:
        raise InputError(f"Rate every dimension; missing: {', '.join(missing)}.")
    entry.scores = {key: int(value) for key, value in scores.items() if value is not None}
    entry.submitted_at = now
    session.commit()
    return entry


def passed(entry: CalibrationEntry, reference: dict[str, int]) -> bool:
    return entry.submitted_at is not None and passes_calibration(entry.scores, reference)


def outcome(entry: CalibrationEntry, reference: dict[str, int]) -> str:
    """"passed", "not passed" or "did not score" (revealed without them) once revealed; before, "scored" or "not yet"."""
    if entry.session.revealed_at is None:
        return "scored" if entry.submitted_at else "not yet"
    if entry.submitted_at is None:
        return "did not score"
    return "passed" if passed(entry, reference) else "not passed"


def waiting_for(cs: CalibrationSession) -> list[CalibrationEntry]:
    """The entries of interviewers who have not scored yet."""
    return [e for e in cs.entries if e.submitted_at is None]


def reference_of(cs: CalibrationSession) -> dict[str, int]:
    return {key: score.score for key, score in benchmark_of(cs).scores.items()}


def reveal(session: Session, cs: CalibrationSession, *, actor: User, now: datetime, early: bool = False) -> None:
    """Show the reference and everyone's scores once all have scored, or now (early) without those who have not.

    Whoever has not scored at an early reveal neither passes nor fails: they "did not score", no longer
    may, and are not shown the reference, so a later session on the same answer is still a fair test.
    """
    locked = session.scalars(select(CalibrationSession).where(CalibrationSession.id == cs.id).with_for_update()
                             .execution_options(populate_existing=True)).one()
    # Scores sent while the lock was awaited count: read the entries as now committed.
    for entry in locked.entries:
        session.expire(entry)
    if locked.revealed_at is not None:
        raise Conflict("This session is already revealed.")
    missing = waiting_for(locked)
    if len(missing) == len(locked.entries):
        raise Conflict("Nobody has scored the benchmark yet; reveal once some have.")
    if missing and not early:
        names = ", ".join(e.interviewer.name for e in missing)
        raise Conflict(f"{len(missing)} interviewer(s) have not scored yet ({names}). Wait for them, or reveal now "
                       "and leave them out of pass and fail.")
    locked.revealed_at = now
    audit.record(session, "calibration.revealed", now=now, actor=actor, subject_type="calibration_session", subject_id=cs.id,
                 without=[e.interviewer_id for e in missing])
    session.commit()


def reveal_rows(cs: CalibrationSession, scorecard: Scorecard) -> list[Reveal]:
    reference = reference_of(cs)
    return [
        Reveal(d.dimension.key, d.dimension.name, reference[d.dimension.key],
               {e.interviewer.name: e.scores.get(d.dimension.key) for e in cs.entries if e.submitted_at})
        for d in scorecard.dimensions
    ]


def passed_interviewers(session: Session, opening: Opening) -> set[int]:
    """Everyone who passed any calibration session of this opening, from one query."""
    found: set[int] = set()
    for cs in sessions_of(session, opening):
        reference = reference_of(cs)
        found |= {e.interviewer_id for e in cs.entries if passed(e, reference)}
    return found


def has_passed(session: Session, opening: Opening, interviewer_id: int) -> bool:
    """Whether the interviewer passed any calibration session of this opening."""
    return interviewer_id in passed_interviewers(session, opening)


def answer_sections(exercise: Exercise, benchmark: Benchmark) -> list[tuple[str, str]]:
    return [(section.title, benchmark.answers.get(section.key, "")) for section in exercise.sections]
