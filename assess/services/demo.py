"""A demo data set, so a fresh install shows the product working."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..config import Config
from ..content import ContentLibrary
from ..models import ApiToken, Candidate, Opening, Role, User
from ..domain.scoring import RatingInput, ScorecardInput
from ..ai.evaluation import Run
from . import ai_reports, answering, api_tokens, assigning, attempts, calibration_sessions, content, deadlines
from . import decisions, demo_ai_use, demo_pipeline, demo_team, effects, invitations, links, openings, revisions
from . import scorecards, snapshots, users, worklist

DEMO_PASSWORD = "assess-demo-2026"
# A fixed API token with every scope, so the API can be tried at once on a demo; never in production.
DEMO_API_TOKEN = "ast_demo-assess-2026-every-scope"
DEMO_OPENING_SLUG = "apm-growth"
DEMO_OPENING_TITLE = "APM, Growth"


@dataclass(frozen=True)
class DemoStaff:
    email: str
    name: str
    role: Role


DEMO_STAFF = (
    DemoStaff("admin@example.com", "Alex Admin", Role.ADMIN),
    DemoStaff("hiring@example.com", "Maya Okafor", Role.HIRING_MANAGER),
    DemoStaff("priya@example.com", "Priya Raman", Role.INTERVIEWER),
    DemoStaff("tom@example.com", "Tom Becker", Role.INTERVIEWER),
    DemoStaff("lena@example.com", "Lena Kowalski", Role.INTERVIEWER),
    DemoStaff("rosa@example.com", "Rosa Reyes", Role.RECRUITER),  # on the Growth team; results hidden from her
    DemoStaff("daniel@example.com", "Daniel Osei", Role.HIRING_MANAGER),  # co-owns the Payments opening
)


@dataclass(frozen=True)
class DemoCandidate:
    """A demo candidate: who they are and which benchmark answer they hand in per exercise."""

    name: str
    email: str
    answers: dict[str, str]  # exercise key -> benchmark key
    invited_days_ago: int = 3
    in_progress: str | None = None  # an exercise started a few minutes ago and not yet submitted


DEMO_CANDIDATES = (
    DemoCandidate("Jordan Ellis", "jordan.ellis@example.net",
                  {"a-mini-prd": "strong", "b-analytics": "strong", "d-writing-sample": "strong"}),
    DemoCandidate("Sam Okoye", "sam.okoye@example.net",
                  {"a-mini-prd": "meets", "b-analytics": "meets", "d-writing-sample": "meets"}),
    DemoCandidate("Riya Patel", "riya.patel@example.net",
                  {"a-mini-prd": "borderline", "b-analytics": "borderline", "d-writing-sample": "borderline"}),
    DemoCandidate("Chris Lang", "chris.lang@example.net",
                  {"a-mini-prd": "weak", "b-analytics": "weak", "d-writing-sample": "weak"}),
    DemoCandidate("Mina Haddad", "mina.haddad@example.net", {}, invited_days_ago=1,
                  in_progress="a-mini-prd"),
    DemoCandidate("Leo Brandt", "leo.brandt@example.net", {}, invited_days_ago=0),
    DemoCandidate("Ana Costa", "ana.costa@example.net", {}, invited_days_ago=20),
)


# How far each demo interviewer tends to sit from the reference score: a lenient,
# a harsh and an accurate rater, so the calibration has something to separate.
DEMO_LENIENCY = {"priya@example.com": 0.6, "tom@example.com": -0.8, "lena@example.com": 0.0}
# Lena keeps to the middle of the scale: the model corrects no leniency of hers, but her fit flags it.
DEMO_MIDDLE = {"lena@example.com": 0.2}
# Scorecards the demo leaves open, so the queue and reminders have something to show.
DEMO_OPEN = {("jordan.ellis@example.net", "c-stakeholder-roleplay"), ("chris.lang@example.net", "d-writing-sample")}
# Who scores what in the demo. Tom (harsh) reads most of Sam's work and Priya (lenient)
# most of Riya's, so the plain averages put Riya ahead and calibration shows why not.
# Nobody reads all four pieces of one candidate's work.
DEMO_PANELS = {
    "jordan.ellis@example.net": {"a": ("priya", "lena"), "b": ("priya", "tom"), "c": ("lena", "tom"), "d": ("priya", "lena")},
    "sam.okoye@example.net": {"a": ("tom", "lena"), "b": ("tom", "priya"), "c": ("tom", "lena"), "d": ("tom", "priya")},
    "riya.patel@example.net": {"a": ("priya", "lena"), "b": ("priya", "tom"), "c": ("priya", "lena"), "d": ("priya", "tom")},
    "chris.lang@example.net": {"a": ("tom", "priya"), "b": ("lena", "tom"), "c": ("priya", "lena"), "d": ("tom", "lena")},
}
LIVE_LEVEL = {"strong": 4, "meets": 4, "borderline": 3, "weak": 2}
LIVE_EVIDENCE = {
    2: "Agreed to the deadline on the spot and only later asked what engineering was working on.",
    3: "Asked what the prospect needed, named the trade-off and offered to take it to the PM.",
    4: "Separated the prospect's real need from the asked-for feature and proposed a scoped interim option.",
    5: "Framed two options with costs, set expectations in writing and named who decides, calmly under pressure.",
}


@dataclass
class DemoResult:
    created_users: list[str] = field(default_factory=list)
    created_opening: bool = False
    created_candidates: list[str] = field(default_factory=list)
    scorecards: int = 0


def seed_demo(
    session: Session, library: ContentLibrary, config: Config | None, now: datetime
) -> DemoResult:
    """Add the demo staff, opening and candidates where they are missing; safe to run again."""
    config = config or Config()
    result = DemoResult()
    content.sync_library(session, library)
    for staff in DEMO_STAFF:
        if session.scalar(select(User.id).where(User.email == staff.email)) is None:
            users.create_user(
                session, email=staff.email, name=staff.name, role=staff.role, password=DEMO_PASSWORD, now=now
            )
            result.created_users.append(staff.email)
    if session.scalar(select(Opening.id).where(Opening.slug == DEMO_OPENING_SLUG)) is None:
        manager = session.scalars(select(User).where(User.email == "hiring@example.com")).one()
        openings.create_opening(
            session,
            library,
            openings.OpeningSettings(
                title=DEMO_OPENING_TITLE,
                slug=DEMO_OPENING_SLUG,
                exercises=openings.default_exercises(library), auto_assign=False,  # seeded by hand below
            ),
            hiring_manager=manager, now=now,
        )
        result.created_opening = True
    if session.scalar(select(ApiToken.id).where(ApiToken.token_hash == api_tokens.hash_token(DEMO_API_TOKEN))) is None:
        admin = session.scalars(select(User).where(User.role == Role.ADMIN).order_by(User.id)).first()
        if admin is not None:
            api_tokens.create(session, name="Demo applicant-tracking system", scopes=list(api_tokens.SCOPES),
                              actor=admin, now=now, plain=DEMO_API_TOKEN)
    opening = session.scalars(select(Opening).where(Opening.slug == DEMO_OPENING_SLUG)).one()
    with effects.held(session, effects.Effect.CALIBRATION, effects.Effect.WORK_NOTICE):  # both once, at the end
        _seed_people(session, library, config, opening, result, now)
    demo_pipeline.seed_second_opening(session, library, config, opening, now)
    demo_team.seed_teams(session, config, now)
    snapshots.compute_due(session, library, now)  # the results are ready when the demo first opens
    return result


def _seed_people(session: Session, library: ContentLibrary, config: Config, opening: Opening, result: DemoResult,
                 now: datetime) -> None:
    for person in DEMO_CANDIDATES:
        if session.scalar(
            select(Candidate.id).where(Candidate.opening_id == opening.id, Candidate.email == person.email)
        ) is None:
            _seed_candidate(session, config, library, opening, person, now)
            result.created_candidates.append(person.email)
    if result.created_candidates:
        result.scorecards = _seed_scoring(session, library, opening, now)
        demo_ai_use.seed_ai_use(session, opening, now)
        snapshots.ratings_changed(session, opening.id, now)  # the drafts are one more rater on the report
        _seed_ai_report(session, library, now)
        # Decided as soon as his scorecards were in, while others are still at work; he is emailed it.
        sam = session.scalars(select(Candidate).where(Candidate.opening_id == opening.id,
                                                      Candidate.email == DEMO_DECIDED[0])).one()
        decisions.decide(session, library, opening, sam, DEMO_DECIDED[1], DEMO_DECIDED[2],
                         actor=opening.hiring_manager, now=now - timedelta(minutes=25), tell_candidate=True)


def _seed_ai_report(session: Session, library: ContentLibrary, now: datetime) -> None:
    """A benchmark report for the demo's drafts, so the admin's AI page has figures: drafts within a point of
    the reference most of the time, a little lenient, nudged up by appended instructions and mostly flagging them.

    Made up, not measured: it is stored under the demo's own provider, never under a configured one, and
    every page that shows it says it is demo figures."""
    model, provider = demo_ai_use.DEMO_MODEL, demo_ai_use.DEMO_PROVIDER
    rng, runs = random.Random(15), []
    for key, benchmarks in sorted(library.benchmarks.items()):
        for name, versioned in sorted(benchmarks.items()):
            reference = {d: s.score for d, s in versioned.content.scores.items()}
            clean = {d: min(5, max(1, r + rng.choice((-1, 0, 0, 0, 0, 1, 1, 1, 2)))) for d, r in reference.items()}
            runs.append(Run(key, name, versioned.content.level.value, False, reference, clean))
            if versioned.content.level.value == "weak":
                nudged = {d: min(5, s + rng.choice((0, 1, 1))) for d, s in clean.items()}
                runs.append(Run(key, name, "weak", True, reference, nudged, flagged=key != "b-analytics"))
    report = ai_reports.report_of(runs, provider=provider, model=model, now=now - timedelta(days=2)) | {"demo": True}
    ai_reports.store(session, report, now=now - timedelta(days=2))


def _seed_scoring(session: Session, library: ContentLibrary, opening: Opening, now: datetime) -> int:
    """Assign the demo interviewers and fill their scorecards, each with their own leniency."""
    manager = opening.hiring_manager
    worklist.ensure_live_stages(session, library, opening)
    staff = {u.email.split("@")[0]: u for u in session.scalars(select(User).where(User.role == Role.INTERVIEWER))}
    for row in worklist.work_rows(session, opening):
        panel = DEMO_PANELS.get(row.attempt.candidate.email, {}).get(row.exercise.code.lower())
        for name in panel or ():
            assigning.assign(session, opening, row.attempt.id, staff[name].id, due_at=None, actor=manager,
                           now=now - timedelta(days=4))
    levels = {p.email: p.answers for p in DEMO_CANDIDATES}
    done = 0
    for row in worklist.work_rows(session, opening):
        candidate = row.attempt.candidate
        key = row.attempt.exercise_key
        answers = levels.get(candidate.email, {})
        for assignment in row.assignments:
            if (candidate.email, key) in DEMO_OPEN or not answers:
                continue
            leniency = DEMO_LENIENCY.get(assignment.interviewer.email, 0)
            noise = random.Random(f"{candidate.email}/{key}/{assignment.interviewer.email}")
            given = _demo_scorecard(library, key, answers, leniency, noise,
                                    DEMO_MIDDLE.get(assignment.interviewer.email, 1.0))
            scorecards.save(session, library, assignment, given, submit=True, actor=assignment.interviewer,
                         now=now - timedelta(hours=noise.randint(2, 30)))
            done += 1
    _seed_revisions(session, library, opening, now)
    _seed_calibration(session, library, opening, now)
    return done


# Two reopen requests made after seeing the other interviewer's ratings: one the hiring manager approved
# (the scorecard is marked revised), one still waiting on the Scoring page.
DEMO_REVISED = ("sam.okoye@example.net", "a-mini-prd", "tom@example.com",
                "Lena's evidence on the tracking plan shows I missed the events table; I was too harsh on analytics.")
DEMO_DECIDED = ("sam.okoye@example.net", "advance",
                "Ranks second once Tom's harsher scoring is allowed for; sound funnel reading. On to the final round.")
DEMO_PENDING = ("riya.patel@example.net", "b-analytics", "priya@example.com",
                "I rated the cohort reading before checking the segment sizes; I would like to look again.")


def _seed_revisions(session: Session, library: ContentLibrary, opening: Opening, now: datetime) -> None:
    mine = {(row.attempt.candidate.email, row.attempt.exercise_key, a.interviewer.email): a
            for row in worklist.work_rows(session, opening) for a in row.assignments}
    email, key, interviewer, reason = DEMO_REVISED
    revised = mine[(email, key, interviewer)]
    revisions.reopen(session, revised, reason, actor=revised.interviewer, now=now - timedelta(hours=3))
    revisions.decide_revision(session, opening, revised, approve=True, note="Agreed; change analytics only.",
                            actor=opening.hiring_manager, now=now - timedelta(hours=2))
    card = revised.scorecard
    assert card is not None
    given = ScorecardInput(
        ratings={r.dimension_key: RatingInput(min(5, (r.score or 3) + (r.dimension_key == "analytics_measurement")),
                                              r.evidence, tuple(r.signals)) for r in card.ratings},
        recommendation=card.recommendation, summary=card.summary)
    scorecards.save(session, library, revised, given, submit=True, actor=revised.interviewer,
                 now=now - timedelta(hours=1))
    email, key, interviewer, reason = DEMO_PENDING
    waiting = mine[(email, key, interviewer)]
    revisions.reopen(session, waiting, reason, actor=waiting.interviewer, now=now - timedelta(minutes=40))


def _seed_calibration(session: Session, library: ContentLibrary, opening: Opening, now: datetime) -> None:
    """A revealed calibration session on a benchmark answer, scored by each interviewer in their own way."""
    cs = calibration_sessions.create(session, library, opening, "d-writing-sample/meets",
                                     actor=opening.hiring_manager, now=now - timedelta(days=6))
    reference = calibration_sessions.reference_of(cs)
    scorecard = library.scorecard("d-writing-sample").content
    for entry in cs.entries:
        lean = DEMO_LENIENCY.get(entry.interviewer.email, 0.0)
        scores = {k: min(5, max(1, round(v + lean * 1.6))) for k, v in reference.items()}
        calibration_sessions.submit(session, scorecard, entry, scores, now=now - timedelta(days=5))
    calibration_sessions.reveal(session, cs, actor=opening.hiring_manager, now=now - timedelta(days=5))


def _demo_scorecard(
    library: ContentLibrary, key: str, answers: dict[str, str], leniency: float, noise: random.Random,
    spread: float = 1.0,
) -> ScorecardInput:
    scorecard = library.scorecard(key).content
    scale = scorecard.scale
    benchmark = library.benchmarks.get(key, {}).get(answers.get(key, ""))
    overall_level = next(iter(answers.values()))
    ratings = {}
    for dimension in scorecard.dimension_keys:
        if benchmark is not None:
            reference = benchmark.content.scores[dimension]
            base, evidence = reference.score, reference.rationale
        else:
            base = LIVE_LEVEL[overall_level]
            evidence = LIVE_EVIDENCE[min(5, max(2, base))]
        middle = (scale.min + scale.max) / 2
        score = min(scale.max, max(scale.min, round(middle + spread * (base + leniency + noise.gauss(0, 0.45) - middle))))
        ratings[dimension] = RatingInput(score, evidence)
    recommendation = benchmark.content.recommendation if benchmark else (
        "yes" if LIVE_LEVEL[overall_level] >= 3 else "no")
    summary = benchmark.content.summary if benchmark else "Scored from the live role-play notes."
    return ScorecardInput(ratings=ratings, recommendation=recommendation, summary=summary)


def _seed_candidate(session: Session, config: Config, library: ContentLibrary, opening: Opening,
                    person: DemoCandidate, now: datetime) -> None:
    invited_at = now - timedelta(days=person.invited_days_ago, hours=2)
    invited = invitations.invite(session, config, library, opening, name=person.name, email=person.email,
                                 actor=None, now=invited_at)
    candidate = invited.candidate
    clock = invited_at + timedelta(hours=20)
    if person.answers or person.in_progress:
        token = invited.link.rsplit("/", 1)[-1]
        links.redeem(session, token, min(clock, now - timedelta(minutes=30)))
    for key, benchmark_key in person.answers.items():
        benchmark = library.benchmarks[key][benchmark_key].content
        exercise = library.exercise(key).content
        if benchmark.variant is not None:
            candidate.data_variant_seed = [v.key for v in exercise.variants].index(benchmark.variant)
        attempt = attempts.start(session, library, candidate, key, now=clock)
        took = max(timedelta(minutes=5), deadlines.deadline_of(attempt).shown_at - clock - timedelta(minutes=7))
        answering.save(
            session, attempt, dict(benchmark.answers), client_id="demo-seed", seq=1, base_revision=0,
            now=clock + took / 2,
        )
        answering.submit(session, config, attempt, answers=dict(benchmark.answers), now=clock + took)
        clock += timedelta(hours=5)
    if person.in_progress:
        started = now - timedelta(minutes=12)
        attempt = attempts.start(session, library, candidate, person.in_progress, now=started)
        first = library.exercise(person.in_progress).content.sections[0]
        answering.save(
            session, attempt,
            {first.key: "Trial admins at companies with 10-50 people stall between creating the "
                        "workspace and getting a first expense approved. "},
            client_id="demo-seed", seq=1, base_revision=0, now=started + timedelta(minutes=9),
        )
