"""Decisions on candidates: recorded as soon as a candidate's scorecards are in, while others still work, told
to the candidate when the hiring manager chooses, and reported wherever results go (the lists, the results
CSV, the API and a `decision.recorded` webhook). A later decision supersedes an earlier one, which is kept."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..content import ContentLibrary
from ..content.schema import ExerciseKind
from ..domain import decisions as rules
from ..domain.decisions import EmailTemplate, Readiness, WorkState
from ..domain.timing import shown_before_closing
from ..errors import Conflict, InputError
from ..models import Attempt, Candidate, Decision, Invitation, Opening, Outcome, ScoringState, Submission, User
from . import audit, links, mail, pipeline, webhooks


@dataclass(frozen=True)
class Recorded:
    """One decision as a request left it."""

    decision: Decision
    new: bool  # False: the same decision was current already, and is kept once
    emailed: bool  # this request queued an email to the candidate
    link_ended: bool = False  # a rejection withdrew the link they could still have used


@dataclass(frozen=True)
class Decided:
    """What a decision on several candidates did: who was decided on, who had it already, who not and why."""

    decided: list[Candidate] = field(default_factory=list)
    repeated: list[Candidate] = field(default_factory=list)
    skipped: list[tuple[Candidate, str]] = field(default_factory=list)
    emailed: int = 0
    links_ended: int = 0  # rejections that withdrew a working link


def readiness(session: Session, library: ContentLibrary, opening: Opening, candidate_ids: Iterable[int],
              now: datetime) -> dict[int, Readiness]:
    """Where each candidate's scoring stands, read from the counts kept on their attempts, and whether they can
    still hand anything in (a working link, or an exercise under way)."""
    ids = set(candidate_ids)
    works: dict[int, list[WorkState]] = {i: [] for i in ids}
    able: set[int] = set()
    if ids:
        rows = session.execute(
            select(Attempt.candidate_id, Attempt.started_at.is_(None), Submission.id.is_not(None),
                   Attempt.assigned_count, Attempt.unfinished_count,
                   Attempt.deadline_at > shown_before_closing(now))
            .outerjoin(Submission, Submission.attempt_id == Attempt.id).where(Attempt.candidate_id.in_(ids)))
        for candidate_id, live, handed_in, assigned, unfinished, open_ in rows:
            under_way = not handed_in and not live and bool(open_)
            works[candidate_id].append(WorkState(handed_in=handed_in or live, live=live, assigned=assigned,
                                                 unfinished=unfinished, under_way=under_way))
            if under_way:
                able.add(candidate_id)
        able |= set(session.scalars(select(Invitation.candidate_id).where(
            Invitation.candidate_id.in_(ids), Invitation.revoked_at.is_(None), Invitation.expires_at > now)))
    take_homes = sum(1 for step in opening.exercises if step.exercise_key in library.exercises
                     and library.exercise(step.exercise_key).content.kind is ExerciseKind.TAKE_HOME)
    return {i: rules.readiness(w, take_homes=take_homes, finished=i not in able,
                               interviewers_per_submission=opening.interviewers_per_submission)
            for i, w in works.items()}


def may_decide(opening: Opening, ready: Readiness) -> str | None:
    """Why a decision on this candidate cannot be recorded yet, or None: their scorecards are in, or the
    opening is unblinded."""
    if opening.scoring_state is ScoringState.UNBLINDED or ready.ready:
        return None
    return "Not ready for a decision yet: " + "; ".join(ready.missing()) + "."


def decide(session: Session, library: ContentLibrary, opening: Opening, candidate: Candidate, outcome: str,
           rationale: str, *, actor: User, now: datetime, tell_candidate: bool = False) -> Recorded:
    """Record a decision with its reason, and email the candidate if asked; commits."""
    chosen, reason = _checked(outcome, rationale)
    links.not_erased(candidate)
    problem = may_decide(opening, readiness(session, library, opening, [candidate.id], now)[candidate.id])
    if problem:
        raise Conflict(problem)
    recorded = _record(session, opening, candidate, chosen, reason, actor=actor, now=now,
                       tell_candidate=tell_candidate)
    session.commit()
    if recorded.decision.email is not None:
        session.refresh(recorded.decision.email)  # a worker in this process may already have sent it
    return recorded


def decide_many(session: Session, library: ContentLibrary, opening: Opening, candidate_ids: list[int],
                outcome: str, rationale: str, *, actor: User, now: datetime,
                tell_candidate: bool = False) -> Decided:
    """The same decision and reason for each of these candidates of the opening who is ready; the others are
    left as they are and said why. Commits."""
    chosen, reason = _checked(outcome, rationale)
    if not candidate_ids:
        raise InputError("Tick the candidates to decide on.")
    people = session.scalars(select(Candidate).where(Candidate.opening_id == opening.id,
                                                     Candidate.id.in_(set(candidate_ids)),
                                                     Candidate.erased_at.is_(None))
                             .order_by(Candidate.name, Candidate.id)).all()
    if len(people) != len(set(candidate_ids)):
        raise InputError("Some of the ticked candidates are not in this opening; reload the page and tick again.")
    _lock(session, sorted(p.id for p in people))  # in one order, so two decisions on many never deadlock
    ready = readiness(session, library, opening, [p.id for p in people], now)
    done, emailed, ended = Decided(), 0, 0
    for person in people:
        problem = may_decide(opening, ready[person.id])
        if problem:
            done.skipped.append((person, problem))
            continue
        recorded = _record(session, opening, person, chosen, reason, actor=actor, now=now,
                           tell_candidate=tell_candidate)
        (done.decided if recorded.new else done.repeated).append(person)
        emailed += recorded.emailed
        ended += recorded.link_ended
    session.commit()
    return dataclasses.replace(done, emailed=emailed, links_ended=ended)


def current(session: Session, candidate_ids: Iterable[int]) -> dict[int, Decision]:
    """Each of these candidates' decision as it stands (the latest), for those who have one."""
    ids = set(candidate_ids)
    return _latest(session, Decision.candidate_id.in_(ids)) if ids else {}


def current_in(session: Session, opening: Opening) -> dict[int, Decision]:
    """Every decision as it stands in the opening, by candidate (for an export of all of them)."""
    return _latest(session, Decision.candidate_id.in_(select(Candidate.id).where(Candidate.opening_id == opening.id)))


def _latest(session: Session, which: Any) -> dict[int, Decision]:
    latest = select(func.max(Decision.id)).where(which).group_by(Decision.candidate_id).scalar_subquery()
    found = select(Decision).where(Decision.id.in_(latest)).options(selectinload(Decision.decided_by),
                                                                     selectinload(Decision.email))
    return {d.candidate_id: d for d in session.scalars(found)}


def history(session: Session, candidate: Candidate) -> list[Decision]:
    """Every decision on the candidate, the current one first."""
    return list(session.scalars(select(Decision).where(Decision.candidate_id == candidate.id)
                                .options(selectinload(Decision.decided_by), selectinload(Decision.email))
                                .order_by(Decision.created_at.desc(), Decision.id.desc())))


def _lock(session: Session, candidate_ids: list[int]) -> None:
    """Hold these candidates' rows until commit, so two decisions on one candidate are taken one at a time."""
    session.execute(select(Candidate.id).where(Candidate.id.in_(candidate_ids)).order_by(Candidate.id)
                    .with_for_update())


# -- the candidate's email ----------------------------------------------------------------------------------


def email_template(opening: Opening, outcome: str) -> EmailTemplate:
    """The email an outcome sends: the opening's own, or the default."""
    own = (opening.decision_emails or {}).get(outcome)
    return EmailTemplate(own["subject"], own["body"]) if own else rules.DEFAULT_EMAILS[outcome]


def set_email_templates(session: Session, opening: Opening, templates: dict[str, EmailTemplate], *, actor: User,
                        now: datetime) -> None:
    """Keep the opening's decision emails, checked; one equal to the default is kept as the default."""
    kept: dict[str, dict[str, str]] = {}
    for outcome, template in templates.items():
        if outcome not in rules.OUTCOMES:
            raise InputError(f"There is no outcome {outcome!r}; use one of {', '.join(rules.OUTCOMES)}.")
        subject, body = " ".join(template.subject.split()), template.body.strip()
        if not subject or not body:
            raise InputError(f"Give the {rules.OUTCOMES[outcome].lower()} email a subject and a message.")
        for text, longest in ((subject, rules.LONGEST_SUBJECT), (body, rules.LONGEST_BODY)):
            problem = rules.template_problem(text, longest=longest)
            if problem:
                raise InputError(f"The {rules.OUTCOMES[outcome].lower()} email: {problem}")
        if EmailTemplate(subject, body) != rules.DEFAULT_EMAILS[outcome]:
            kept[outcome] = {"subject": subject, "body": body}
    opening.decision_emails = kept or None
    audit.record(session, "opening.decision_emails_changed", actor=actor, subject_type="opening",
                 subject_id=opening.id, now=now, changed=sorted(kept))
    session.commit()


def email_for(opening: Opening, candidate: Candidate, outcome: str) -> EmailTemplate:
    """The email this outcome would send this candidate, filled in."""
    return rules.filled(email_template(opening, outcome), name=candidate.name, opening=opening.title)


def _message(opening: Opening, candidate: Candidate, outcome: Outcome) -> mail.Message:
    made = email_for(opening, candidate, outcome.value)
    return mail.Message(to=candidate.email, subject=made.subject, body=made.body, sender=mail.from_opening(opening))


def _checked(outcome: str, rationale: str) -> tuple[Outcome, str]:
    try:
        chosen = Outcome(outcome)
    except ValueError as error:
        raise InputError("Choose advance, hold or reject.") from error
    problem = rules.check_reason(rationale)
    if problem:
        raise InputError(problem)
    return chosen, rationale.strip()


def _record(session: Session, opening: Opening, candidate: Candidate, outcome: Outcome, rationale: str, *,
            actor: User, now: datetime, tell_candidate: bool) -> Recorded:
    _lock(session, [candidate.id])
    latest = current(session, [candidate.id]).get(candidate.id)
    if latest is not None and latest.outcome is outcome and latest.rationale == rationale:
        # The same decision sent twice (two tabs, a double click): kept once, and emailed once if asked.
        emailed = tell_candidate and latest.email_id is None
        if emailed:
            latest.email_id = _queue(session, opening, candidate, outcome, now)
            audit.record(session, "decision.emailed", actor=actor, subject_type="candidate",
                         subject_id=candidate.id, now=now, outcome=outcome.value)
        return Recorded(latest, new=False, emailed=emailed)
    decision = Decision(candidate_id=candidate.id, decided_by_id=actor.id, outcome=outcome, rationale=rationale,
                        created_at=now)
    if tell_candidate:
        decision.email_id = _queue(session, opening, candidate, outcome, now)
    session.add(decision)
    ended = _end_link_if_rejected(session, candidate, outcome, actor=actor, now=now)
    pipeline.restage(session, [candidate.id])
    audit.record(session, "decision.recorded", actor=actor, subject_type="candidate", subject_id=candidate.id,
                 now=now, outcome=outcome.value, emailed=tell_candidate)
    # By id and code only, as every payload: the reason is free text that may name people, so it is read
    # through the API.
    webhooks.emit(session, "decision.recorded", {
        "opening": opening.slug, "candidate_id": candidate.id, "candidate_code": candidate.pseudonym,
        "outcome": outcome.value, "decided_at": now.isoformat(), "candidate_email_queued": tell_candidate,
    }, now)
    return Recorded(decision, new=True, emailed=tell_candidate, link_ended=ended)


def _end_link_if_rejected(session: Session, candidate: Candidate, outcome: Outcome, *, actor: User,
                          now: datetime) -> bool:
    """A rejected candidate's working link stops, so nobody told no can start an exercise afterwards."""
    live = [i for i in candidate.invitations if i.revoked_at is None and i.expires_at > now]
    if outcome is not Outcome.REJECT or not live:
        return False
    for invitation in live:
        invitation.revoked_at = now
    audit.record(session, "invitation.revoked", now=now, actor=actor, subject_type="candidate",
                 subject_id=candidate.id, reason="rejected")
    return True


def _queue(session: Session, opening: Opening, candidate: Candidate, outcome: Outcome, now: datetime) -> int:
    return mail.queue(session, _message(opening, candidate, outcome), now=now, opening_id=opening.id,
                      candidate_id=candidate.id).id
