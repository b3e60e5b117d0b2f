"""A second demo opening, newer than the first, where work moves by itself: candidates starting out, one who
handed in exercise A and was given interviewers as it arrived, one whose link expires soon and is reminded; so
the openings list shows two funnels and all openings together, and the outbox what was sent without anyone
pressing a button."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..config import Config
from ..content import ContentLibrary
from ..models import Assignment, Attempt, Candidate, Opening
from . import answering, attempts, invitations, links, openings, reminders, work_mail

SECOND_SLUG = "apm-payments"
SECOND_TITLE = "APM, Payments"
# (name, email, how far they have come): invited only, opened their link, started or handed in exercise A.
SECOND_CANDIDATES = (
    ("Inês Carvalho", "ines.carvalho@example.net", "handed in"),
    ("Noor Rahman", "noor.rahman@example.net", "started"),
    ("Tomás Ruiz", "tomas.ruiz@example.net", "opened"),
    ("Grace Liu", "grace.liu@example.net", "opened"),
    ("Femi Adeyemi", "femi.adeyemi@example.net", "invited"),
    ("Hanna Berg", "hanna.berg@example.net", "invited"),
)


def seed_second_opening(session: Session, library: ContentLibrary, config: Config, first: Opening,
                        now: datetime) -> bool:
    """The second opening and its candidates, if it is not there yet; says whether it was added. The first
    opening, seeded by hand, then assigns by itself from now on too."""
    if session.scalar(select(Opening.id).where(Opening.slug == SECOND_SLUG)) is not None:
        return False
    _announced_as_made(session, first)
    first.auto_assign = True
    opening = openings.create_opening(
        session, library, openings.OpeningSettings(title=SECOND_TITLE, slug=SECOND_SLUG,
                                                   exercises=openings.default_exercises(library)),
        hiring_manager=first.hiring_manager, now=now - timedelta(days=13))
    opening.third_interviewer_gap = 3
    for name, email, far in SECOND_CANDIDATES:
        # Hanna was invited twelve days ago: her link expires in two days, so she is reminded.
        invited_at = now - timedelta(days=12) if email.startswith("hanna") else now - timedelta(hours=20)
        invited = invitations.invite(session, config, library, opening, name=name, email=email, actor=None,
                                     now=invited_at)
        if far in ("opened", "started", "handed in"):
            links.redeem(session, invited.link.rsplit("/", 1)[-1], now - timedelta(hours=3))
        if far == "started":
            attempts.start(session, library, invited.candidate, "a-mini-prd", now=now - timedelta(minutes=40))
        if far == "handed in":
            attempt = attempts.start(session, library, invited.candidate, "a-mini-prd",
                                     now=now - timedelta(hours=2, minutes=50))
            answers = dict(library.benchmarks["a-mini-prd"]["strong"].content.answers)
            answering.submit(session, config, attempt, answers=answers, now=now - timedelta(hours=1, minutes=30))
    work_mail.announce(session, config, now)
    reminders.send_due(session, library, config, now)
    return True


def _announced_as_made(session: Session, opening: Opening) -> None:
    """The first opening's scoring is history: its interviewers were told of their work when it was given."""
    for assignment in session.scalars(select(Assignment).join(Attempt).join(Candidate)
                                      .where(Candidate.opening_id == opening.id, Assignment.notified_at.is_(None))):
        assignment.notified_at = assignment.created_at
