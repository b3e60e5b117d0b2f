"""A second demo opening, newer than the first: candidates only starting out, so the openings list shows two
funnels and all openings together."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..config import Config
from ..content import ContentLibrary
from ..models import Opening, User
from . import attempts, invitations, links, openings

SECOND_SLUG = "apm-payments"
SECOND_TITLE = "APM, Payments"
# (name, email, how far they have come): invited only, opened their link, or started exercise A.
SECOND_CANDIDATES = (
    ("Noor Rahman", "noor.rahman@example.net", "started"),
    ("Tomás Ruiz", "tomas.ruiz@example.net", "opened"),
    ("Grace Liu", "grace.liu@example.net", "opened"),
    ("Femi Adeyemi", "femi.adeyemi@example.net", "invited"),
    ("Hanna Berg", "hanna.berg@example.net", "invited"),
)


def seed_second_opening(session: Session, library: ContentLibrary, config: Config, manager: User,
                        now: datetime) -> bool:
    """The second opening and its candidates, if it is not there yet; says whether it was added."""
    if session.scalar(select(Opening.id).where(Opening.slug == SECOND_SLUG)) is not None:
        return False
    opening = openings.create_opening(
        session, library, openings.OpeningSettings(title=SECOND_TITLE, slug=SECOND_SLUG,
                                                   exercises=openings.default_exercises(library)),
        hiring_manager=manager, now=now - timedelta(days=1))
    for name, email, far in SECOND_CANDIDATES:
        invited = invitations.invite(session, config, library, opening, name=name, email=email, actor=None,
                                     now=now - timedelta(hours=20))
        if far in ("opened", "started"):
            links.redeem(session, invited.link.rsplit("/", 1)[-1], now - timedelta(hours=3))
        if far == "started":
            attempts.start(session, library, invited.candidate, "a-mini-prd", now=now - timedelta(minutes=40))
    return True
