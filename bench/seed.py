"""Seed a large, realistic data set fast, with bulk inserts: openings, candidates, submissions,
scorecards from interviewers of differing severity, and candidates mid-exercise for autosave load."""

from __future__ import annotations

import hashlib
import json
import random
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, insert, text
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from assess.content import ContentLibrary
from assess.domain.links import hash_token
from assess.models import (
    Assignment,
    Attempt,
    Candidate,
    ContentKind,
    Invitation,
    Opening,
    OpeningExercise,
    Rating,
    Role,
    Scorecard,
    ScorecardStatus,
    Submission,
    SubmittedBy,
    User,
)
from assess.services import worklist
from assess.services.content import ensure_version, sync_library

TAKE_HOMES = ("a-mini-prd", "b-analytics", "d-writing-sample")
BATCH = 5000


@dataclass
class Seeded:
    admin_id: int
    openings: dict[str, int] = field(default_factory=dict)  # slug -> candidates
    live_invitations: list[int] = field(default_factory=list)  # invitation ids of candidates mid-exercise
    counts: dict[str, int] = field(default_factory=dict)


def _bulk(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(insert(table), rows[start:start + BATCH])


def _reset_sequences(session: Session, tables: list[Table]) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite takes the next id from the largest one stored
    for table in tables:
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                             f"(SELECT COALESCE(MAX(id), 1) FROM {table.name}))"))


def seed(session: Session, library: ContentLibrary, *, openings: int, candidates_per_opening: int,
         scorecards_per_submission: int, interviewers: int, live_candidates: int, small_opening: int,
         large_opening: int = 0, seed_value: int = 7) -> Seeded:
    """Everything in one transaction; ids are chosen here so rows can refer to each other."""
    rng = random.Random(seed_value)
    now = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    sync_library(session, library)
    exercise_version = {k: ensure_version(session, ContentKind.EXERCISE, k, library.exercise(k))[0].id
                        for k in TAKE_HOMES}
    scorecard_version = {k: ensure_version(session, ContentKind.SCORECARD, k, library.scorecard(k))[0].id
                         for k in TAKE_HOMES}
    dimensions = {k: [d.dimension.key for d in library.scorecard(k).content.dimensions] for k in TAKE_HOMES}
    answers = {k: json.dumps(dict(library.benchmarks[k]["meets"].content.answers)) for k in TAKE_HOMES}
    variants = {k: [v.key for v in library.exercise(k).content.variants] or [None] for k in TAKE_HOMES}
    password = generate_password_hash(secrets.token_urlsafe(16))

    users = [{"id": 1, "email": "bench-admin@example.com", "name": "Bench Admin", "role": Role.ADMIN,
              "password_hash": password}]
    users += [{"id": 1 + n, "email": f"manager{n}@example.com", "name": f"Manager {n}", "role": Role.HIRING_MANAGER,
               "password_hash": password} for n in range(1, openings + 2)]
    first_interviewer = len(users) + 1
    users += [{"id": first_interviewer + n, "email": f"interviewer{n}@example.com", "name": f"Interviewer {n}",
               "role": Role.INTERVIEWER, "password_hash": password} for n in range(interviewers)]
    severity = {first_interviewer + n: rng.gauss(0, 0.5) for n in range(interviewers)}
    _bulk(session, User.__table__, users)

    seeded = Seeded(admin_id=1)
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in (
        "openings", "opening_exercises", "candidates", "invitations", "attempts", "submissions", "assignments",
        "scorecards", "ratings")}
    ids = {name: 0 for name in rows}

    def next_id(name: str) -> int:
        ids[name] += 1
        return ids[name]

    plan = [(f"bench-{n:02d}", candidates_per_opening) for n in range(1, openings + 1)]
    plan += [("bench-small", small_opening), ("bench-live", live_candidates)]
    if large_opening:
        plan.append(("bench-large", large_opening))
    for index, (slug, how_many) in enumerate(plan):
        opening_id = next_id("openings")
        rows["openings"].append({"id": opening_id, "slug": slug, "title": f"APM {slug}",
                                 "hiring_manager_id": 2 + index % (openings + 1), "created_at": now})
        for position, key in enumerate(TAKE_HOMES):
            rows["opening_exercises"].append({"id": next_id("opening_exercises"), "opening_id": opening_id,
                                              "exercise_key": key, "position": position,
                                              "time_limit_minutes": library.exercise(key).content.time_limit_minutes})
        seeded.openings[slug] = how_many
        live = slug == "bench-live"
        for n in range(how_many):
            candidate_id = next_id("candidates")
            level = rng.gauss(0, 0.8)
            rows["candidates"].append({"id": candidate_id, "opening_id": opening_id, "name": f"Candidate {candidate_id}",
                                       "email": f"candidate{candidate_id}@example.net",
                                       "pseudonym": f"{candidate_id:05X}"[-5:], "data_variant_seed": n,
                                       "created_at": now - timedelta(days=10)})
            invitation_id = next_id("invitations")
            rows["invitations"].append({"id": invitation_id, "candidate_id": candidate_id,
                                        "token_hash": hash_token(f"bench-{invitation_id}"),
                                        "created_at": now - timedelta(days=10), "expires_at": now + timedelta(days=400)})
            if live:
                seeded.live_invitations.append(invitation_id)
                rows["attempts"].append({"id": next_id("attempts"), "candidate_id": candidate_id,
                                         "exercise_key": TAKE_HOMES[0], "exercise_version_id": exercise_version[TAKE_HOMES[0]],
                                         "data_variant": None,
                                         "started_at": now, "deadline_at": now + timedelta(days=365), "created_at": now})
                continue
            for key in TAKE_HOMES:
                attempt_id = next_id("attempts")
                started = now - timedelta(days=9, minutes=rng.randrange(600))
                rows["attempts"].append({"id": attempt_id, "candidate_id": candidate_id, "exercise_key": key,
                                         "exercise_version_id": exercise_version[key],
                                         "data_variant": variants[key][n % len(variants[key])],
                                         "started_at": started,
                                         "deadline_at": started + timedelta(minutes=90), "created_at": started})
                rows["submissions"].append({"id": next_id("submissions"), "attempt_id": attempt_id,
                                            "exercise_version_id": exercise_version[key],
                                            "answers": json.loads(answers[key]),
                                            "digest": hashlib.sha256(f"{attempt_id}".encode()).hexdigest(),
                                            "submitted_by": SubmittedBy.CANDIDATE,
                                            "submitted_at": started + timedelta(minutes=80)})
                for interviewer in rng.sample(sorted(severity), scorecards_per_submission):
                    assignment_id = next_id("assignments")
                    rows["assignments"].append({"id": assignment_id, "attempt_id": attempt_id,
                                                "interviewer_id": interviewer, "assigned_by_id": 1,
                                                "due_at": now, "created_at": started})
                    scorecard_id = next_id("scorecards")
                    rows["scorecards"].append({"id": scorecard_id, "assignment_id": assignment_id,
                                               "scorecard_version_id": scorecard_version[key],
                                               "status": ScorecardStatus.SUBMITTED, "recommendation": "yes",
                                               "summary": "", "created_at": now, "updated_at": now,
                                               "submitted_at": now, "first_submitted_at": now})
                    for dimension in dimensions[key]:
                        score = round(3 + level + severity[interviewer] + rng.gauss(0, 0.6))
                        rows["ratings"].append({"id": next_id("ratings"), "scorecard_id": scorecard_id,
                                                "dimension_key": dimension, "score": min(5, max(1, score)),
                                                "first_score": min(5, max(1, score)),
                                                "evidence": "Cites the figures from the brief.", "signals": []})
    tables = {"openings": Opening.__table__, "opening_exercises": OpeningExercise.__table__,
              "candidates": Candidate.__table__, "invitations": Invitation.__table__, "attempts": Attempt.__table__,
              "submissions": Submission.__table__, "assignments": Assignment.__table__,
              "scorecards": Scorecard.__table__, "ratings": Rating.__table__}
    for name, table in tables.items():
        _bulk(session, table, rows[name])  # type: ignore[arg-type]
    _reset_sequences(session, [User.__table__, *tables.values()])  # type: ignore[list-item]
    worklist.recount(session, None)  # where scoring stands, as the services keep it row by row
    session.commit()
    seeded.counts = {name: len(values) for name, values in rows.items()}
    return seeded
