"""The AI-use log: every draft, what it answered, who saw it and when, and the interviewer's ratings around it.

Reading a draft records who saw it (first and last view per person), so the log and the influence
figures know which drafts were seen. The log is an admin's download, as CSV or JSON, each audited.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..domain.paging import Page, offset_of, page_count
from ..domain.spreadsheet import BOM, safe_cell
from ..errors import NotFound
from ..models import (
    AiDraft,
    AiDraftStatus,
    AiDraftView,
    Assignment,
    Attempt,
    Candidate,
    Opening,
    Scorecard,
    User,
)
from . import audit, rows

# What the ratings "after" are: the scorecard's first submission, or, while it is not submitted, as saved.
FIRST_SUBMITTED = "first submitted"
AS_SAVED = "as saved, not yet submitted"
PER_PAGE = 100  # drafts per page of the JSON log
BATCH = 200  # drafts read at a time for the CSV

CSV_HEADER = ["draft_id", "opening", "candidate", "candidate_declined_ai_at", "exercise", "scorecard_id", "interviewer", "model", "provider",
              "prompt_version", "output_mode", "input_digest", "status", "requested_at", "finished_at", "viewed_by",
              "dimension", "ai_score", "ai_evidence", "ai_rationale", "rating_before_ai", "rating_after",
              "rating_after_is", "error"]


# -- who saw a draft ---------------------------------------------------------------------------------------


def record_view(session: Session, draft: AiDraft | None, viewer: User, *, now: datetime) -> None:
    """A finished draft was shown to viewer: the first view is kept and the last moves on.

    One statement that inserts or updates, so two tabs loading at the same moment make one row, not an error."""
    if draft is None or draft.status is not AiDraftStatus.DONE:
        return
    statement = rows.upsert(session, AiDraftView).values(draft_id=draft.id, user_id=viewer.id, first_viewed_at=now,
                                           last_viewed_at=now)
    session.execute(statement.on_conflict_do_update(
        index_elements=[AiDraftView.draft_id, AiDraftView.user_id],
        set_={"last_viewed_at": statement.excluded.last_viewed_at}))
    session.commit()
    session.expire(draft, ["views"])


def seen_by(draft: AiDraft, user_id: int, *, before: datetime | None = None) -> bool:
    """Whether the person saw the draft (before the given moment, when one is given)."""
    return any(view.user_id == user_id and (before is None or view.first_viewed_at <= before)
               for view in draft.views)


# -- ratings before and after ---------------------------------------------------------------------------------


def scores_before(scorecard: Scorecard) -> dict[str, int | None] | None:
    """The interviewer's ratings when they first asked for a draft (before they could see one), or None."""
    if scorecard.ratings_before_ai is None:
        return None
    return {key: value.get("score") for key, value in scorecard.ratings_before_ai.get("ratings", {}).items()}


def scores_after(scorecard: Scorecard) -> tuple[dict[str, int | None], str]:
    """The ratings as first submitted, or as saved while the scorecard is not submitted; and which they are."""
    if scorecard.first_submitted_at is not None:
        return {r.dimension_key: r.first_score for r in scorecard.ratings}, FIRST_SUBMITTED
    return {r.dimension_key: r.score for r in scorecard.ratings}, AS_SAVED


# -- the log -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AiUseQuery:
    """Which drafts: of one opening (its slug), asked for from since and before until."""

    opening: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def openings(session: Session) -> list[tuple[str, str]]:
    """Every opening's slug and title, to choose the log of one."""
    rows = session.execute(select(Opening.slug, Opening.title).order_by(Opening.title))
    return [(slug, title) for slug, title in rows]


def _drafts(query: AiUseQuery) -> Any:
    chosen = (select(AiDraft).join(Scorecard, AiDraft.scorecard_id == Scorecard.id)
              .join(Assignment, Scorecard.assignment_id == Assignment.id)
              .join(Attempt, Assignment.attempt_id == Attempt.id)
              .join(Candidate, Attempt.candidate_id == Candidate.id)
              .join(Opening, Candidate.opening_id == Opening.id))
    if query.opening:
        chosen = chosen.where(Opening.slug == query.opening)
    if query.since:
        chosen = chosen.where(AiDraft.requested_at >= query.since)
    if query.until:
        chosen = chosen.where(AiDraft.requested_at < query.until)
    return chosen


_LOADS = (
    selectinload(AiDraft.views).joinedload(AiDraftView.user),
    joinedload(AiDraft.scorecard).selectinload(Scorecard.ratings),
    joinedload(AiDraft.scorecard).joinedload(Scorecard.assignment).joinedload(Assignment.interviewer),
    joinedload(AiDraft.scorecard).joinedload(Scorecard.assignment).joinedload(Assignment.attempt)
    .joinedload(Attempt.candidate).joinedload(Candidate.opening),
)


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def entry(draft: AiDraft) -> dict[str, Any]:
    """One draft as the log shows it; the candidate only by their code, never their name or email."""
    card = draft.scorecard
    attempt = card.assignment.attempt
    after, after_is = scores_after(card)
    return {
        "draft_id": draft.id,
        "opening": attempt.candidate.opening.slug,
        "candidate": attempt.candidate.pseudonym,
        # The log is the record of what happened, so drafts made before a candidate declined AI stay in it,
        # marked; no page shows them to interviewers or the hiring manager any more.
        "candidate_declined_ai_at": _when(attempt.candidate.ai_opted_out_at),
        "exercise": attempt.exercise_key,
        "scorecard_id": card.id,
        "interviewer": {"id": card.assignment.interviewer.id, "name": card.assignment.interviewer.name},
        "model": draft.model,
        "provider": draft.provider,
        "prompt_version": draft.prompt_version,
        "output_mode": draft.output_mode.value if draft.output_mode else None,
        "input_digest": draft.input_digest,
        "status": draft.status.value,
        "error": draft.error,
        "injection_suspected": draft.injection_suspected,
        "requested_at": _when(draft.requested_at),
        "finished_at": _when(draft.finished_at),
        "answer": draft.result,
        "views": [{"user_id": v.user_id, "name": v.user.name, "first_viewed_at": _when(v.first_viewed_at),
                   "last_viewed_at": _when(v.last_viewed_at)} for v in draft.views],
        "ratings_before_ai": scores_before(card),
        "ratings_after": after,
        "ratings_after_are": after_is,
    }


def page(session: Session, query: AiUseQuery, number: int) -> Page[dict[str, Any]]:
    """One page of the log, oldest draft first, PER_PAGE drafts to a page."""
    per_page = PER_PAGE
    total = session.scalar(select(func.count()).select_from(_drafts(query).subquery())) or 0
    if number < 1 or number > page_count(total, per_page):
        raise NotFound(f"There is no page {number} of this log: it has {page_count(total, per_page)}. "
                       "Start from page 1.")
    found = session.scalars(_drafts(query).options(*_LOADS).order_by(AiDraft.id)
                            .limit(per_page).offset(offset_of(number, per_page))).unique()
    return Page([entry(d) for d in found], total, number, per_page)


def entries(session: Session, query: AiUseQuery) -> Iterator[dict[str, Any]]:
    """Every draft of the log, oldest first, read a batch at a time."""
    last = 0
    while True:
        batch = list(session.scalars(_drafts(query).where(AiDraft.id > last).options(*_LOADS)
                                     .order_by(AiDraft.id).limit(BATCH)).unique())
        for draft in batch:
            yield entry(draft)
        if len(batch) < BATCH:
            return
        last = batch[-1].id


def _viewed_by(views: list[dict[str, Any]]) -> str:
    return "; ".join(f"{v['name']} (first {v['first_viewed_at']}, last {v['last_viewed_at']})" for v in views)


def csv_rows(item: dict[str, Any]) -> list[list[object]]:
    """A draft's lines in the CSV: one per dimension (one line alone when it has none)."""
    answered = (item["answer"] or {}).get("dimensions", {})
    before = item["ratings_before_ai"] or {}
    after = item["ratings_after"]
    keys = list(dict.fromkeys([*answered, *before, *after])) or [""]
    common = [item["draft_id"], item["opening"], item["candidate"], item["candidate_declined_ai_at"], item["exercise"],
              item["scorecard_id"],
              item["interviewer"]["name"], item["model"], item["provider"], item["prompt_version"],
              item["output_mode"], item["input_digest"], item["status"], item["requested_at"], item["finished_at"],
              _viewed_by(item["views"])]
    rows = []
    for key in keys:
        drafted = answered.get(key, {})
        rows.append([*common, key, drafted.get("score"), " | ".join(drafted.get("evidence", [])),
                     drafted.get("rationale"), before.get(key), after.get(key), item["ratings_after_are"],
                     item["error"]])
    return rows


def _csv_text(rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([safe_cell(v) for v in row] for row in rows)
    return buffer.getvalue()


def _audited(session: Session, query: AiUseQuery, kind: str, *, viewer: User, now: datetime, **more: Any) -> None:
    audit.record(session, "ai_use.exported", now=now, actor=viewer, subject_type="ai_use", subject_id=None,
                 format=kind, **{k: _when(v) if isinstance(v, datetime) else v for k, v in asdict(query).items()},
                 **more)
    session.commit()


def export_csv(session: Session, query: AiUseQuery, *, viewer: User, now: datetime) -> str:
    """The whole log as CSV, read a batch of drafts at a time; the download is recorded in the audit log."""
    pieces = [BOM + _csv_text([CSV_HEADER])]
    pieces += [_csv_text(csv_rows(item)) for item in entries(session, query)]
    _audited(session, query, "csv", viewer=viewer, now=now)
    return "".join(pieces)


def export_page(session: Session, query: AiUseQuery, number: int, *, viewer: User,
                now: datetime) -> Page[dict[str, Any]]:
    """One page of the log for the JSON download, recorded in the audit log."""
    found = page(session, query, number)
    _audited(session, query, "json", viewer=viewer, now=now, page=number)
    return found
