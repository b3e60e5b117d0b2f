"""The data model. The schema itself comes only from the Alembic migrations."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import JSON, CheckConstraint, Enum, Float, ForeignKey, Index, String, Text, UniqueConstraint, false, text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from .ai.schema import AiOutputMode
from .db import Base, UTCDateTime, utcnow
from .domain.pipeline import Stage


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
    )


E = TypeVar("E", bound=enum.StrEnum)


class StrEnumText(TypeDecorator[E]):
    """A StrEnum kept in a plain VARCHAR column: the database sees text, Python always an enum member.

    For states whose column predates a CHECK constraint; a value that is not a member is refused
    when written, naming the enum to add it to.
    """

    impl = String
    cache_ok = True

    def __init__(self, enum_class: type[E], length: int) -> None:
        super().__init__(length)
        self.enum_class = enum_class

    def process_bind_param(self, value: E | str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        try:
            return self.enum_class(value).value
        except ValueError:
            raise ValueError(f"{value!r} is not a {self.enum_class.__name__}; add it in assess/models.py") from None

    def process_result_value(self, value: str | None, dialect: Any) -> E | None:
        return None if value is None else self.enum_class(value)


class Role(enum.StrEnum):
    ADMIN = "admin"
    HIRING_MANAGER = "hiring_manager"
    INTERVIEWER = "interviewer"
    # Invites candidates and follows their progress on the openings they are part of; sees the work, the
    # scorecards and the results only where the opening's hiring manager allows it.
    RECRUITER = "recruiter"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class ContentKind(enum.StrEnum):
    EXERCISE = "exercise"
    SCORECARD = "scorecard"
    BENCHMARK = "benchmark"


class SubmittedBy(enum.StrEnum):
    CANDIDATE = "candidate"
    DEADLINE = "deadline"


class ScorecardStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class ScoringState(enum.StrEnum):
    """An opening's scoring life cycle, which only moves forward."""

    OPEN = "open"
    CLOSED = "closed"
    UNBLINDED = "unblinded"


class RevisionStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    # Scoring closed before the hiring manager decided.
    LAPSED = "lapsed"


class AiDraftStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class MailStatus(enum.StrEnum):
    """Where an outgoing email stands; the worker moves it on."""

    QUEUED = "queued"  # waiting for the worker (again, after a failed try, from next_attempt_at)
    SENDING = "sending"  # a worker has taken it and is talking to the mail server
    SENT = "sent"
    KEPT = "kept"  # no mail server is configured: the outbox is how it reaches its reader
    FAILED = "failed"  # the last try failed too


class AiDraftTiming(enum.StrEnum):
    """When an interviewer may open the AI draft of a scorecard."""

    # Once the interviewer's own ratings are saved.
    AFTER_RATING = "after_rating"
    ANY_TIME = "any_time"


class CopyReason(enum.StrEnum):
    """Why a draft copy was kept beside the draft."""

    # A tab's text the draft had moved past.
    UNSAVED = "unsaved"
    # A draft another tab's text replaced.
    REPLACED = "replaced"


class DeliveryStatus(enum.StrEnum):
    """A webhook delivery: pending until a 2xx answer (delivered) or the last attempt fails (failed)."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class Outcome(enum.StrEnum):
    ADVANCE = "advance"
    HOLD = "hold"
    REJECT = "reject"


class User(Base):
    """A member of staff: admin, hiring manager, recruiter or interviewer."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped to end every session of the user (disabling, password change).
    auth_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The emails an interviewer gets about their work: one when given work, and a morning digest of what is due.
    assignment_emails: Mapped[bool] = mapped_column(default=True, server_default=true())
    daily_digest: Mapped[bool] = mapped_column(default=True, server_default=true())
    digest_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PasswordLinkPurpose(enum.StrEnum):
    RESET = "reset"  # asked for on the sign-in page
    WELCOME = "welcome"  # sent with a new account, to choose a first password


class PasswordLink(Base):
    """An emailed link to choose a password: single use, short-lived; only the hash of its token is kept."""

    __tablename__ = "password_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[PasswordLinkPurpose] = mapped_column(StrEnumText(PasswordLinkPurpose, 16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Used, or ended by a newer link or a password set another way.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The email that carried it: where a welcome link waits in the outbox when no mail server is configured.
    email_id: Mapped[int | None] = mapped_column(ForeignKey("outbound_emails.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship()
    email: Mapped[OutboundEmail | None] = relationship()


class StaffSession(Base):
    """One sign-in of a member of staff; the cookie works only while this row exists."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # SHA-256 of the random key in the cookie, so the table alone signs nobody in.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ContentVersion(Base):
    """One immutable version of an exercise or of an exercise's scorecard."""

    __tablename__ = "content_versions"
    __table_args__ = (UniqueConstraint("kind", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ContentKind] = mapped_column(_enum(ContentKind, "content_kind"))
    # The exercise key; for a benchmark, "<exercise>/<benchmark>".
    key: Mapped[str] = mapped_column(String(130), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Opening(Base):
    """A role being hired for, with the exercises its candidates do."""

    __tablename__ = "openings"
    __table_args__ = (
        CheckConstraint("invitation_valid_days > 0", name="invitation_valid_days_positive"),
        CheckConstraint("interviewers_per_submission > 0", name="interviewers_positive"),
        CheckConstraint("retention_days > 0", name="retention_days_positive"),
        CheckConstraint("overdue_reminder_days BETWEEN 0 AND 30", name="overdue_reminder_days_range"),
        CheckConstraint("third_interviewer_gap IS NULL OR third_interviewer_gap BETWEEN 1 AND 3",
                        name="third_interviewer_gap_range"),
        CheckConstraint(
            "(scoring_state = 'open' AND scoring_closed_at IS NULL AND unblinded_at IS NULL)"
            " OR (scoring_state = 'closed' AND scoring_closed_at IS NOT NULL AND unblinded_at IS NULL)"
            " OR (scoring_state = 'unblinded' AND scoring_closed_at IS NOT NULL AND unblinded_at IS NOT NULL)",
            name="scoring_state_dates",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    hiring_manager_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    invitation_valid_days: Mapped[int] = mapped_column(default=14)
    ai_enabled: Mapped[bool] = mapped_column(default=False)
    ai_notice: Mapped[str] = mapped_column(Text, default="")
    ai_draft_timing: Mapped[AiDraftTiming] = mapped_column(
        StrEnumText(AiDraftTiming, 20), default=AiDraftTiming.AFTER_RATING
    )
    interviewers_per_submission: Mapped[int] = mapped_column(default=2)
    retention_days: Mapped[int] = mapped_column(default=365)
    # Interviewers must pass a calibration session before they are given candidates' work.
    calibration_required: Mapped[bool] = mapped_column(default=False)
    # Handed-in work is given its interviewers as it arrives (the calibration requirement still holds).
    auto_assign: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Candidates who have not handed everything in are reminded this many days before their link expires.
    expiry_reminder_days: Mapped[list[int] | None] = mapped_column(JSON, default=lambda: [3, 1])
    # Interviewers are reminded of an overdue scorecard every this many days (0: never).
    overdue_reminder_days: Mapped[int] = mapped_column(default=2, server_default="2")
    # A third interviewer is asked when two scorecards are this many points apart on a dimension (None: never).
    third_interviewer_gap: Mapped[int | None] = mapped_column()
    # The company candidates see the emails come from, and where their replies go (None: the hiring manager).
    company_name: Mapped[str | None] = mapped_column(String(120))
    reply_to: Mapped[str | None] = mapped_column(String(254))
    # Recruiters on the opening's team may read candidates' work, scorecards and results.
    recruiters_see_results: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The emails a decision may send the candidate, by outcome, where the hiring manager changed the default.
    decision_emails: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The one state scoring is in; the two dates say when it moved on, and a constraint keeps them agreeing.
    scoring_state: Mapped[ScoringState] = mapped_column(
        _enum(ScoringState, "scoring_state"), default=ScoringState.OPEN, server_default=ScoringState.OPEN.value
    )
    scoring_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unblinded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    hiring_manager: Mapped[User] = relationship()
    exercises: Mapped[list[OpeningExercise]] = relationship(
        back_populates="opening", order_by="OpeningExercise.position", cascade="all, delete-orphan"
    )
    candidates: Mapped[list[Candidate]] = relationship(back_populates="opening")
    team: Mapped[list[OpeningMember]] = relationship(back_populates="opening", cascade="all, delete-orphan")


class OpeningMember(Base):
    """Someone besides its hiring manager who works on an opening: another hiring manager (a co-owner, with the
    same rights) or a recruiter."""

    __tablename__ = "opening_members"

    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)

    opening: Mapped[Opening] = relationship(back_populates="team")
    user: Mapped[User] = relationship()


class OpeningExercise(Base):
    """An exercise or live stage that an opening includes, with its time limit."""

    __tablename__ = "opening_exercises"
    __table_args__ = (
        UniqueConstraint("opening_id", "exercise_key"),
        CheckConstraint("time_limit_minutes > 0", name="time_limit_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id", ondelete="CASCADE"))
    exercise_key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int]
    time_limit_minutes: Mapped[int]

    opening: Mapped[Opening] = relationship(back_populates="exercises")


class Candidate(Base):
    """A person invited to an opening; interviewers know them only by pseudonym."""

    __tablename__ = "candidates"
    __table_args__ = (
        UniqueConstraint("opening_id", "email"),
        UniqueConstraint("opening_id", "pseudonym"),
        # An opening's candidates in the order lists page them: a page reads its rows, not the opening's all.
        Index("ix_candidates_opening_id_id", "opening_id", "id"),
        # The pipeline counts and filters an opening's candidates by stage, from the index alone.
        Index("ix_candidates_opening_id_stage", "opening_id", "stage", "progress"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    pseudonym: Mapped[str] = mapped_column(String(16))
    # Which variant of an exercise's data this candidate sees; fixed at invitation.
    data_variant_seed: Mapped[int] = mapped_column(default=0)
    # An accommodation: minutes added to every timed exercise.
    extra_minutes: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The candidate asked that no AI reads their work; honoured for every draft, and when it was asked.
    ai_opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Where they stand (decided, once a decision stands) and how far along the way their work is, whatever was
    # decided; both kept by pipeline.restage whenever a fact they are read from changes.
    stage: Mapped[Stage] = mapped_column(_enum(Stage, "candidate_stage"), default=Stage.INVITED,
                                         server_default=Stage.INVITED.value)
    progress: Mapped[Stage] = mapped_column(_enum(Stage, "candidate_progress"), default=Stage.INVITED,
                                            server_default=Stage.INVITED.value)

    opening: Mapped[Opening] = relationship(back_populates="candidates")
    invitations: Mapped[list[Invitation]] = relationship(back_populates="candidate")
    attempts: Mapped[list[Attempt]] = relationship(back_populates="candidate")


class Invitation(Base):
    """A link sent to a candidate; only the hash of its token is kept."""

    __tablename__ = "invitations"
    # At most one link per candidate that has not been replaced or withdrawn, whatever races.
    __table_args__ = (
        Index("uq_invitations_one_live_per_candidate", "candidate_id", unique=True,
              sqlite_where=text("revoked_at IS NULL"), postgresql_where=text("revoked_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    candidate: Mapped[Candidate] = relationship(back_populates="invitations")


class Attempt(Base):
    """A candidate's go at one exercise, or the slot for a live stage."""

    __tablename__ = "attempts"
    __table_args__ = (UniqueConstraint("candidate_id", "exercise_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    exercise_key: Mapped[str] = mapped_column(String(64))
    exercise_version_id: Mapped[int] = mapped_column(ForeignKey("content_versions.id"))
    data_variant: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The one record of when the countdown reaches zero, extensions included; see domain.timing.
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Where scoring stands, kept by worklist.recount whenever an assignment or a scorecard's state changes, so
    # the scoring page counts and filters without aggregating every rating: interviewers assigned, of them
    # not yet submitted, and whether submitted ratings on one dimension are a debrief apart.
    assigned_count: Mapped[int] = mapped_column(default=0, server_default="0")
    unfinished_count: Mapped[int] = mapped_column(default=0, server_default="0")
    disagreement: Mapped[bool] = mapped_column(default=False, server_default=text("false"))

    candidate: Mapped[Candidate] = relationship(back_populates="attempts")
    exercise_version: Mapped[ContentVersion] = relationship()
    draft: Mapped[Draft | None] = relationship(back_populates="attempt")
    copies: Mapped[list[DraftCopy]] = relationship(back_populates="attempt", order_by="DraftCopy.saved_at")
    submission: Mapped[Submission | None] = relationship(back_populates="attempt")
    assignments: Mapped[list[Assignment]] = relationship(back_populates="attempt")


class Draft(Base):
    """The latest autosaved answers of an attempt; a save with an older seq is refused."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), unique=True)
    answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Counts accepted saves; a tab that has not seen the latest revision may not overwrite it.
    revision: Mapped[int] = mapped_column(default=0)
    seq: Mapped[int] = mapped_column(default=0)
    client_id: Mapped[str | None] = mapped_column(String(64))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attempt: Mapped[Attempt] = relationship(back_populates="draft")


class DraftCopy(Base):
    """Text that could not become the draft (another tab had moved on) or that was replaced by it.

    One row per tab, holding that tab's newest such text, so nothing a candidate
    typed is thrown away and the candidate can read it and choose.
    """

    __tablename__ = "draft_copies"
    __table_args__ = (UniqueConstraint("attempt_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"))
    client_id: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(default=0)
    reason: Mapped[CopyReason] = mapped_column(StrEnumText(CopyReason, 16))
    answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attempt: Mapped[Attempt] = relationship(back_populates="copies")


class Submission(Base):
    """What a candidate handed in, frozen, with the exercise version it answered."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), unique=True)
    exercise_version_id: Mapped[int] = mapped_column(ForeignKey("content_versions.id"))
    answers: Mapped[dict[str, str]] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))
    submitted_by: Mapped[SubmittedBy] = mapped_column(_enum(SubmittedBy, "submitted_by"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attempt: Mapped[Attempt] = relationship(back_populates="submission")
    exercise_version: Mapped[ContentVersion] = relationship()


class Assignment(Base):
    """An interviewer asked to score one attempt, by a due date."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("attempt_id", "interviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"))
    interviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the interviewer was emailed about it (or it was settled that they would not be).
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    attempt: Mapped[Attempt] = relationship(back_populates="assignments")
    interviewer: Mapped[User] = relationship(foreign_keys=[interviewer_id])
    scorecard: Mapped[Scorecard | None] = relationship(back_populates="assignment")


class Scorecard(Base):
    """An interviewer's ratings of one attempt, against one scorecard version."""

    __tablename__ = "scorecards"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), unique=True)
    scorecard_version_id: Mapped[int] = mapped_column(ForeignKey("content_versions.id"))
    status: Mapped[ScorecardStatus] = mapped_column(
        _enum(ScorecardStatus, "scorecard_status"), default=ScorecardStatus.DRAFT
    )
    recommendation: Mapped[str | None] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text, default="")
    # The interviewer's own ratings at the moment they first opened an AI draft.
    ratings_before_ai: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The first submission is the independent one: the results read its ratings (Rating.first_score).
    first_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the hiring manager let the interviewer change it after others' ratings were visible to them.
    revision_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    assignment: Mapped[Assignment] = relationship(back_populates="scorecard")
    scorecard_version: Mapped[ContentVersion] = relationship()
    ratings: Mapped[list[Rating]] = relationship(
        back_populates="scorecard", cascade="all, delete-orphan"
    )
    ai_drafts: Mapped[list[AiDraft]] = relationship(back_populates="scorecard")
    revision_requests: Mapped[list[RevisionRequest]] = relationship(
        back_populates="scorecard", order_by="RevisionRequest.id"
    )

    @property
    def revised(self) -> bool:
        """Whether it was changed, with approval, after its author could see the other ratings."""
        return self.revision_approved_at is not None


class RevisionRequest(Base):
    """An interviewer asking to change a submitted scorecard after seeing others' ratings."""

    __tablename__ = "revision_requests"
    __table_args__ = (
        # At most one request waits per scorecard.
        Index("uq_revision_requests_pending", "scorecard_id", unique=True,
              sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[RevisionStatus] = mapped_column(
        _enum(RevisionStatus, "revision_status"), default=RevisionStatus.PENDING
    )
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")

    scorecard: Mapped[Scorecard] = relationship(back_populates="revision_requests")
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class Rating(Base):
    """One dimension of a scorecard: the score, the evidence, the signals ticked."""

    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("scorecard_id", "dimension_key"),
        CheckConstraint("score IS NULL OR score BETWEEN 0 AND 10", name="score_in_range"),
        CheckConstraint("first_score IS NULL OR first_score BETWEEN 0 AND 10", name="first_score_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id", ondelete="CASCADE"))
    dimension_key: Mapped[str] = mapped_column(String(64))
    score: Mapped[int | None]
    # The score as first submitted, kept when the scorecard is later reopened and changed.
    first_score: Mapped[int | None]
    evidence: Mapped[str] = mapped_column(Text, default="")
    signals: Mapped[list[str]] = mapped_column(JSON, default=list)

    scorecard: Mapped[Scorecard] = relationship(back_populates="ratings")


class AiDraft(Base):
    """A draft scorecard proposed by the language model; it never decides anything."""

    __tablename__ = "ai_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id"), index=True)
    status: Mapped[AiDraftStatus] = mapped_column(
        _enum(AiDraftStatus, "ai_draft_status"), default=AiDraftStatus.QUEUED
    )
    model: Mapped[str] = mapped_column(String(200), default="")
    prompt_version: Mapped[str] = mapped_column(String(32), default="")
    # Which provider answered (its endpoint), how it was asked for the shape, and a digest of what it was sent.
    provider: Mapped[str] = mapped_column(String(300), default="")
    output_mode: Mapped[AiOutputMode | None] = mapped_column(StrEnumText(AiOutputMode, 16))
    input_digest: Mapped[str | None] = mapped_column(String(64))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    injection_suspected: Mapped[bool] = mapped_column(default=False)
    input_tokens: Mapped[int | None]
    output_tokens: Mapped[int | None]
    latency_ms: Mapped[int | None]
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    scorecard: Mapped[Scorecard] = relationship(back_populates="ai_drafts")
    views: Mapped[list[AiDraftView]] = relationship(back_populates="draft", order_by="AiDraftView.first_viewed_at")


class AiDraftView(Base):
    """Someone saw a finished draft: who, first and last."""

    __tablename__ = "ai_draft_views"
    __table_args__ = (UniqueConstraint("draft_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("ai_drafts.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    first_viewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_viewed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    draft: Mapped[AiDraft] = relationship(back_populates="views")
    user: Mapped[User] = relationship()


class AiAidSetting(Base):
    """The one switch for the AI aid across every opening (a single row, id 1), and who last moved it."""

    __tablename__ = "ai_aid_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    changed_by: Mapped[User | None] = relationship()


class AiProviderMode(Base):
    """What a provider's model was found to accept: once it refuses a schema, it is asked for a JSON object."""

    __tablename__ = "ai_provider_modes"
    __table_args__ = (UniqueConstraint("provider", "model"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(300))
    model: Mapped[str] = mapped_column(String(200))
    mode: Mapped[AiOutputMode] = mapped_column(StrEnumText(AiOutputMode, 16))
    reason: Mapped[str] = mapped_column(Text, default="")
    noted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AiEvalReport(Base):
    """One run of the benchmark evaluation of a model: its figures, kept to show beside its drafts."""

    __tablename__ = "ai_eval_reports"
    __table_args__ = (Index("ix_ai_eval_reports_model_created_at", "provider", "model", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(300))
    model: Mapped[str] = mapped_column(String(200))
    prompt_version: Mapped[str] = mapped_column(String(32))
    output_mode: Mapped[AiOutputMode] = mapped_column(StrEnumText(AiOutputMode, 16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)


class Decision(Base):
    """A hiring manager's decision on a candidate; a later row supersedes an earlier one."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[Outcome] = mapped_column(_enum(Outcome, "outcome"))
    rationale: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The email that told the candidate, if the hiring manager chose to.
    email_id: Mapped[int | None] = mapped_column(ForeignKey("outbound_emails.id"))

    decided_by: Mapped[User] = relationship()
    email: Mapped[OutboundEmail | None] = relationship()


class AuditEvent(Base):
    """One line of the append-only audit log: who did what to which object, and when."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Who acted when it was not a member of staff: "candidate", "system", "cli".
    actor_kind: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[int | None]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()


class OutboundEmail(Base):
    """A message to send, written in the transaction that causes it and sent by the worker.

    Without an SMTP server it is kept in the outbox, where people read it."""

    __tablename__ = "outbound_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int | None] = mapped_column(ForeignKey("openings.id"), index=True)
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidates.id"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    # A working link in the body, replaced in it once a mail server takes the message.
    secret: Mapped[str | None] = mapped_column(Text)
    # "smtp" once the worker tries a mail server, "outbox" while kept for reading in the app.
    transport: Mapped[str] = mapped_column(String(16), default="outbox")
    status: Mapped[MailStatus] = mapped_column(_enum(MailStatus, "mail_status"), default=MailStatus.QUEUED,
                                               index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last try's failure, kept until a later try succeeds.
    error: Mapped[str | None] = mapped_column(Text)
    # Whom it comes from and where replies go: an opening's company and hiring manager for mail to candidates.
    sender_name: Mapped[str | None] = mapped_column(String(120))
    reply_to: Mapped[str | None] = mapped_column(String(254))


class CalibrationSession(Base):
    """Every interviewer scores the same benchmark answer blind; the reveal compares them with the reference."""

    __tablename__ = "calibration_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id"), index=True)
    exercise_key: Mapped[str] = mapped_column(String(64))
    benchmark_version_id: Mapped[int] = mapped_column(ForeignKey("content_versions.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    opening: Mapped[Opening] = relationship()
    benchmark_version: Mapped[ContentVersion] = relationship()
    entries: Mapped[list[CalibrationEntry]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="CalibrationEntry.id"
    )


class CalibrationEntry(Base):
    """One interviewer's scores in a calibration session."""

    __tablename__ = "calibration_entries"
    __table_args__ = (UniqueConstraint("session_id", "interviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("calibration_sessions.id", ondelete="CASCADE"))
    interviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    scores: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    session: Mapped[CalibrationSession] = relationship(back_populates="entries")
    interviewer: Mapped[User] = relationship()


class ApiToken(Base):
    """A key an applicant-tracking system uses for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the token, shown so admins can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User] = relationship()


class WebhookEndpoint(Base):
    """An address told about events, e.g. an applicant-tracking system; each call is signed with secret."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    # Kept in full because every delivery is signed with it; shown to the admin once, at creation.
    secret: Mapped[str] = mapped_column(String(64))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebhookDelivery(Base):
    """One event for one endpoint: written with the change that caused it, sent by the worker."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id"), index=True)
    event: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[DeliveryStatus] = mapped_column(
        StrEnumText(DeliveryStatus, 16), default=DeliveryStatus.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    endpoint: Mapped[WebhookEndpoint] = relationship()


class RatingsVersion(Base):
    """Counts every change to an opening's ratings that the calibration reads; stored calibrations are keyed by it.

    A row of its own, not a column of the opening: every scorecard change holds the opening's row FOR SHARE
    while it checks scoring is open, and two of them raising a count on that row would each wait for the other.
    """

    __tablename__ = "ratings_versions"

    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(default=0)


class CalibrationSnapshot(Base):
    """The calibration of an opening's ratings at one version, worked out once by the worker and read by every page.

    A row with no computed_at is a request the worker has yet to carry out. `without` is the interviewer left
    out (0: everyone); `summary` holds everything but the ranked rows, which are kept one per row for paging.
    """

    __tablename__ = "calibration_snapshots"
    __table_args__ = (
        UniqueConstraint("opening_id", "ratings", "without", "ratings_version", name="uq_calibration_snapshots_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id", ondelete="CASCADE"))
    ratings: Mapped[str] = mapped_column(String(16))
    without: Mapped[int] = mapped_column(default=0)
    ratings_version: Mapped[int]
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seconds: Mapped[float | None] = mapped_column(Float)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class CalibrationSnapshotRow(Base):
    """One ranked candidate of a stored calibration, in ranking order."""

    __tablename__ = "calibration_snapshot_rows"
    # Each candidate once per calibration; also how a page finds who is not ranked, one probe per candidate.
    __table_args__ = (UniqueConstraint("snapshot_id", "candidate_id"),)

    snapshot_id: Mapped[int] = mapped_column(ForeignKey("calibration_snapshots.id", ondelete="CASCADE"),
                                             primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    row: Mapped[dict[str, Any]] = mapped_column(JSON)


class ReminderKind(enum.StrEnum):
    CANDIDATE_EXPIRY = "candidate_expiry"  # subject: an invitation; step: days before it expires
    OVERDUE_SCORECARD = "overdue_scorecard"  # subject: an assignment; step: how many reminders it has had


class ReminderSent(Base):
    """One automatic reminder sent: kept so the same one never goes twice, however often the job runs."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("kind", "subject_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ReminderKind] = mapped_column(StrEnumText(ReminderKind, 32))
    subject_id: Mapped[int]
    step: Mapped[int]
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
