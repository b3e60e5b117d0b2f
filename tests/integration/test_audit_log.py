"""The audit log: append-only in the database itself, and readable by admins with filters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from assess.models import AuditEvent, Role, User
from assess.services import audit
from tests.support.factories import Factory
from tests.support.web import sign_in_session


@pytest.fixture
def event(db_session: Session, make: Factory) -> AuditEvent:
    recorded = audit.record(db_session, "decision.recorded", now=make.now(), actor=make.user(Role.HIRING_MANAGER),
                            subject_type="candidate", subject_id=7, outcome="advance")
    db_session.commit()
    return recorded


@pytest.mark.parametrize("statement", [
    lambda e: update(AuditEvent).where(AuditEvent.id == e.id).values(action="decision.forged"),
    lambda e: delete(AuditEvent).where(AuditEvent.id == e.id),
], ids=["update", "delete"])
def test_the_database_refuses_to_change_or_delete_an_audit_row(
    statement: object, event: AuditEvent, db_session: Session
) -> None:
    with pytest.raises(DBAPIError, match="append-only"):
        with db_session.begin_nested():
            db_session.execute(statement(event))  # type: ignore[operator]
    db_session.expire_all()
    assert db_session.get(AuditEvent, event.id).action == "decision.recorded"


def test_the_log_cannot_be_emptied_in_one_go(event: AuditEvent, db_session: Session) -> None:
    """TRUNCATE on PostgreSQL; SQLite has none, and its unconditional DELETE is refused like any other."""
    emptying = "TRUNCATE audit_events CASCADE" if db_session.get_bind().dialect.name == "postgresql" \
        else "DELETE FROM audit_events"
    with pytest.raises(DBAPIError, match="append-only"):
        with db_session.begin_nested():
            db_session.execute(text(emptying))
    assert db_session.scalar(select(AuditEvent.id).where(AuditEvent.id == event.id)) == event.id


def test_adding_rows_still_works(event: AuditEvent, db_session: Session) -> None:
    audit.record(db_session, "export.downloaded", now=event.occurred_at, actor=None, subject_type="opening", subject_id=1)
    db_session.commit()
    assert db_session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) > event.id


@pytest.fixture
def admin_client(make: Factory, client: FlaskClient) -> FlaskClient:
    sign_in_session(client, make.user(Role.ADMIN, name="Ada Admin"))
    return client


@pytest.fixture
def history(db_session: Session, make: Factory) -> dict[str, User]:
    manager, interviewer = make.user(Role.HIRING_MANAGER, name="Mina Manager"), make.user(name="Ivo Interviewer")
    for n, (action, actor, subject) in enumerate([
        ("opening.unblinded", manager, ("opening", 3)),
        ("decision.recorded", manager, ("candidate", 11)),
        ("scorecard.reopened", interviewer, ("scorecard", 5)),
        ("candidate.viewed", manager, ("candidate", 11)),
        ("invitation.opened", None, ("candidate", 12)),
    ]):
        row = audit.record(db_session, action, now=make.now(), actor=actor, actor_kind=None if actor else "candidate",
                           subject_type=subject[0], subject_id=subject[1], reason="r" if n == 2 else None)
        row.occurred_at = datetime(2026, 11, 10 + n, 12, 0, tzinfo=UTC)
    db_session.commit()
    return {"manager": manager, "interviewer": interviewer}


def rows_of(page: str) -> int:
    return page.count("<tr>") - 1  # minus the header row


def test_the_admin_page_lists_the_log_newest_first(admin_client: FlaskClient, history: dict[str, User]) -> None:
    page = admin_client.get("/admin/audit").get_data(as_text=True)
    position = {a: page.index(f"<code>{a}</code>") for a in ("invitation.opened", "scorecard.reopened",
                                                            "opening.unblinded")}
    assert position["invitation.opened"] < position["scorecard.reopened"] < position["opening.unblinded"]
    assert "Mina Manager" in page and "Ivo Interviewer" in page and "candidate" in page


@pytest.mark.parametrize(("query", "expected"), [
    ({"action": "decision.recorded"}, {"decision.recorded"}),
    ({"subject_type": "candidate", "subject_id": "11"}, {"decision.recorded", "candidate.viewed"}),
    ({"actor": "kind:candidate"}, {"invitation.opened"}),
    ({"since": "2026-11-12", "until": "2026-11-13"}, {"scorecard.reopened", "candidate.viewed"}),
])
def test_the_admin_filters_by_action_subject_actor_and_date(
    query: dict[str, str], expected: set[str], admin_client: FlaskClient, history: dict[str, User]
) -> None:
    page = admin_client.get("/admin/audit", query_string=query).get_data(as_text=True)
    seen = {a for a in ("opening.unblinded", "decision.recorded", "scorecard.reopened", "candidate.viewed",
                        "invitation.opened") if f"<code>{a}</code>" in page}
    assert seen == expected


def test_filtering_by_a_member_of_staff(admin_client: FlaskClient, history: dict[str, User]) -> None:
    page = admin_client.get("/admin/audit", query_string={"actor": f"user:{history['interviewer'].id}"})
    assert rows_of(page.get_data(as_text=True)) == 1
    assert "<code>scorecard.reopened</code>" in page.get_data(as_text=True)  # Ivo's one row, not another's


def test_a_bad_filter_says_so_and_shows_everything(admin_client: FlaskClient, history: dict[str, User]) -> None:
    page = admin_client.get("/admin/audit", query_string={"since": "last tuesday"}).get_data(as_text=True)
    assert "Not a valid date value" in page and "Showing everything instead" in page
    assert rows_of(page) >= 5


def test_the_log_is_paged(admin_client: FlaskClient, db_session: Session) -> None:
    for n in range(120):
        audit.record(db_session, "candidate.viewed", now=datetime.now(UTC), actor=None, subject_type="candidate",
                     subject_id=n)
    db_session.commit()
    first = admin_client.get("/admin/audit").get_data(as_text=True)
    assert rows_of(first) == 50 and "page 1 of 3" in first and "Older" in first
    last = admin_client.get("/admin/audit", query_string={"page": "3"}).get_data(as_text=True)
    assert "Newer" in last and "Older" not in last


def test_views_of_a_candidates_identity_are_recorded(make: Factory, db_session: Session, client: FlaskClient) -> None:
    opening = make.opening()
    make.invite(opening)
    sign_in_session(client, opening.hiring_manager)
    for path in ("", "/outbox"):
        assert client.get(f"/hiring/openings/{opening.slug}{path}").status_code == 200
    listed = db_session.scalars(select(AuditEvent.details).where(AuditEvent.action == "candidates.listed")).all()
    assert [d["page"] for d in listed] == ["opening", "outbox"]
