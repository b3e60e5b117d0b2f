"""The pipeline as a hiring manager uses it: counts by stage, the list filtered and sorted, the funnel, time to
score and interviewers' work, links for many candidates at once, and invitations from a spreadsheet."""

from __future__ import annotations

import html
import importlib.util
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from assess.domain.pipeline import Stage
from assess.models import Candidate, Invitation, Opening, OutboundEmail, Role, User
from assess.services import decisions, links, openings, pipeline
from tests.support.app import FrozenClock
from tests.support.factories import A, Factory
from tests.support.web import csrf_token, open_link, sign_in_session, start

B = "b-analytics"


@pytest.fixture
def opening(make: Factory, team: dict[str, User], db_session: Session) -> Opening:
    """Two take-homes, one interviewer per piece of work."""
    made = make.opening(team["manager"], title="APM, Payments", exercises=[(A, 90), (B, 45)])
    made.interviewers_per_submission = 1
    db_session.commit()
    return made


def _page(answer: object) -> str:
    return html.unescape(answer.get_data(as_text=True))  # type: ignore[attr-defined]


def _text(page: str) -> str:
    """The page's words as a reader sees them: no tags (words inside a link or a bold run read on with their
    line), white space as single spaces."""
    inline = re.sub(r"</?(a|strong|em|span)\b[^>]*>", "", page)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", inline))


def _names(page: str) -> list[str]:
    """The candidates a list page shows, in order."""
    return re.findall(r'/candidates/\d+">([^<]+)</a></strong>', page)


def _stage_count(page: str, label: str) -> int:
    found = re.search(r'<span class="stage-value">([\d,]+)</span><span class="stage-label">' + label, page)
    assert found, label
    return int(found.group(1).replace(",", ""))


def _count(session: Session, table: type) -> int:
    return session.scalar(select(text("count(*)")).select_from(table)) or 0


def _people(make: Factory, opening: Opening, team: dict[str, User]) -> dict[str, Candidate]:
    """One candidate at each stage: Ada invited, Ben opened, Cy started, Di handed in, Ed scored, Flo decided."""
    ada = make.invite(opening, name="Ada Invited").candidate
    ben_link = make.invite(opening, name="Ben Opened")
    links.redeem(make.session, ben_link.link.rsplit("/", 1)[-1], make.now())
    cy = make.attempt(opening, A, name="Cy Started").candidate
    di = make.submission(opening, A, name="Di Handed").candidate
    scored = []
    for name in ("Ed Scored", "Flo Decided"):
        attempt = make.submission(opening, A, name=name)
        make.scorecard(make.assignment(attempt, team["priya"]), 3)
        scored.append(attempt.candidate)
    links.revoke(make.session, scored[1], actor=None, now=make.now())  # nothing more to come from Flo
    decisions.decide(make.session, make.library, opening, scored[1], "advance", "Clear framing, testable stories.",
                     actor=team["manager"], now=make.now())
    return {"ada": ada, "ben": ben_link.candidate, "cy": cy, "di": di, "ed": scored[0], "flo": scored[1]}


def test_each_stage_is_counted_and_the_list_filters_on_it_and_on_the_decision(
    opening: Opening, make: Factory, team: dict[str, User], client: FlaskClient, clock: FrozenClock
) -> None:
    people = _people(make, opening, team)
    sign_in_session(client, team["manager"])
    url = f"/hiring/openings/{opening.slug}"
    page = client.get(url).get_data(as_text=True)
    for label, n in (("Everyone", 6), ("Invited", 1), ("Opened the link", 1), ("Started", 1), ("Handed in", 1),
                     ("Scored", 1), ("Decided", 1)):
        assert _stage_count(page, label) == n, label
    assert {c.stage for c in people.values()} == set(Stage)

    for stage, name in ((Stage.INVITED, "Ada Invited"), (Stage.OPENED, "Ben Opened"), (Stage.STARTED, "Cy Started"),
                        (Stage.SUBMITTED, "Di Handed"), (Stage.SCORED, "Ed Scored"), (Stage.DECIDED, "Flo Decided")):
        assert _names(client.get(f"{url}?stage={stage.value}").get_data(as_text=True)) == [name]
    assert _names(client.get(f"{url}?decision=advance").get_data(as_text=True)) == ["Flo Decided"]
    assert _names(client.get(f"{url}?decision=reject").get_data(as_text=True)) == []
    assert "Flo Decided" not in _names(client.get(f"{url}?decision=none").get_data(as_text=True))
    assert len(_names(client.get(f"{url}?decision=none").get_data(as_text=True))) == 5
    # The filters combine with the search and with each other.
    assert _names(client.get(f"{url}?q=ed&stage=scored").get_data(as_text=True)) == ["Ed Scored"]
    assert _names(client.get(f"{url}?q=ada&stage=scored").get_data(as_text=True)) == []


def test_the_list_sorts_by_name_age_and_how_far_each_candidate_has_come(
    opening: Opening, make: Factory, team: dict[str, User], client: FlaskClient, clock: FrozenClock
) -> None:
    for name in ("Cleo Third", "anna First", "Bo Second"):
        make.invite(opening, name=name)
        clock.advance(minutes=1)
    make.submission(opening, A, name="Zed Handed")
    sign_in_session(client, team["manager"])
    url = f"/hiring/openings/{opening.slug}"
    assert _names(client.get(url).get_data(as_text=True)) == ["Zed Handed", "Bo Second", "anna First", "Cleo Third"]
    assert _names(client.get(f"{url}?sort=oldest").get_data(as_text=True)) == [
        "Cleo Third", "anna First", "Bo Second", "Zed Handed"]
    assert _names(client.get(f"{url}?sort=name").get_data(as_text=True)) == [
        "anna First", "Bo Second", "Cleo Third", "Zed Handed"]
    assert _names(client.get(f"{url}?sort=stage").get_data(as_text=True))[0] == "Zed Handed"
    assert _names(client.get(f"{url}?sort=").get_data(as_text=True))[0] == "Zed Handed", "an empty sort is the default"


@pytest.mark.parametrize("query, says", [
    ("stage=hired", "There is no stage 'hired'"),
    ("decision=maybe", "There is no decision 'maybe'"),
    ("sort=salary", "cannot be ordered by 'salary'"),
])
def test_a_filter_that_does_not_exist_is_refused_with_the_choices_there_are(
    opening: Opening, team: dict[str, User], client: FlaskClient, query: str, says: str
) -> None:
    sign_in_session(client, team["manager"])
    answer = client.get(f"/hiring/openings/{opening.slug}?{query}")
    assert answer.status_code == 400
    assert says in _page(answer)


def test_a_step_on_a_row_comes_back_to_the_same_filtered_list(
    opening: Opening, make: Factory, team: dict[str, User], client: FlaskClient
) -> None:
    person = make.invite(opening, name="Ada Invited").candidate
    sign_in_session(client, team["manager"])
    url = f"/hiring/openings/{opening.slug}?stage=invited&sort=name"
    answer = client.post(f"/hiring/openings/{opening.slug}/candidates/{person.id}/extend-window?stage=invited&sort=name",
                         data={"csrf_token": csrf_token(client, url), "days": "3"})
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/hiring/openings/{opening.slug}?stage=invited&sort=name")


def test_the_pipeline_page_gives_the_funnel_time_to_score_and_each_interviewers_work(
    opening: Opening, make: Factory, team: dict[str, User], client: FlaskClient, clock: FrozenClock,
    db_session: Session
) -> None:
    _people(make, opening, team)
    # Two more pieces of work: Tom has one due yesterday, Lena one due tomorrow.
    late = make.submission(opening, B, name="Gus Waiting")
    make.assignment(late, team["tom"], due_at=clock.now + timedelta(days=1))
    clock.advance(minutes=60 * 49)
    make.assignment(make.submission(opening, B, name="Hal Waiting"), team["lena"], due_at=clock.now + timedelta(days=1))
    sign_in_session(client, team["manager"])
    page = _page(client.get(f"/hiring/openings/{opening.slug}/pipeline"))
    assert ("Of 8 invited, 7 opened the link or further (88%), 6 started or further (75%), 5 handed in or further "
            "(62%), 2 scored or further (25%).") in page
    assert "1 decided: Advance 1 · Hold 0 · Reject 0." in _text(page)
    # Ed's and Flo's work was scored the moment it was handed in; the factory's clock did not move between.
    assert "0 minutes</span><span class=\"stat-label\">median from hand-in to the last scorecard" in page
    assert "over the 2 pieces of handed-in work" in page
    assert "3 pieces of handed-in work still wait" in _text(page) and "the oldest has waited 2 days" in page
    loads = {load.interviewer.name: load for load in pipeline.workload(db_session, [opening.id], clock.now)}
    assert (loads["Tom Interviewer"].open, loads["Tom Interviewer"].overdue) == (1, 1)
    assert (loads["Lena Interviewer"].open, loads["Lena Interviewer"].overdue) == (1, 0)
    assert (loads["Priya Interviewer"].open, loads["Priya Interviewer"].submitted) == (0, 2)
    assert list(loads)[0] == "Tom Interviewer", "the most overdue come first"


def test_a_decision_on_someone_who_never_opened_their_link_does_not_count_them_as_having_opened_it(
    opening: Opening, make: Factory, team: dict[str, User], client: FlaskClient, clock: FrozenClock,
    db_session: Session
) -> None:
    no_show = make.invite(opening, name="Ana Absent").candidate
    make.submission(opening, A)
    clock.advance(minutes=60 * 24 * 15)  # both links have run out
    decisions.decide(db_session, make.library, opening, db_session.get(Candidate, no_show.id), "reject",
                     "Did not take the assessment in the time given.", actor=team["manager"], now=clock.now)
    counted = pipeline.counts(db_session, [opening.id])[opening.id]
    assert counted.stages == {Stage.DECIDED: 1, Stage.SUBMITTED: 1}
    assert [s.reached for s in counted.funnel] == [2, 1, 1, 1, 0]
    assert counted.decided_without_work == 1
    sign_in_session(client, team["manager"])
    page = _text(_page(client.get(f"/hiring/openings/{opening.slug}/pipeline")))
    assert "1 decided: Advance 0 · Hold 0 · Reject 1; 1 of them without handing any work in." in page


def test_the_opening_s_own_number_of_interviewers_says_when_its_work_is_scored(
    make: Factory, team: dict[str, User], db_session: Session, clock: FrozenClock
) -> None:
    asks_two = make.opening(team["manager"], title="Asks for two", exercises=[(A, 90)])
    make.submission(asks_two, A)
    asks_one = make.opening(team["manager"], title="Asks for one", exercises=[(A, 90)])
    asks_one.interviewers_per_submission = 1
    db_session.commit()
    attempt = make.submission(asks_one, A)
    make.scorecard(make.assignment(attempt, team["priya"]), 3)
    db_session.expire_all()
    assert db_session.get(Candidate, attempt.candidate_id).stage is Stage.SCORED


def test_time_to_score_is_read_from_hand_in_to_the_last_first_submitted_scorecard(
    opening: Opening, make: Factory, team: dict[str, User], clock: FrozenClock, db_session: Session
) -> None:
    opening.interviewers_per_submission = 2
    db_session.commit()
    for hours in (2, 10, 30):
        attempt = make.submission(opening, A)
        first, second = make.assignment(attempt, team["priya"]), make.assignment(attempt, team["tom"])
        clock.advance(minutes=30)
        make.scorecard(first, 3)
        clock.advance(minutes=hours * 60 - 30)
        make.scorecard(second, 4)
    half_done = make.submission(opening, A)
    make.scorecard(make.assignment(half_done, team["priya"]), 3)
    read = pipeline.scoring(db_session, opening, clock.now)
    assert read.scored.count == 3
    assert read.scored.median == timedelta(hours=10)
    assert read.scored.p90 == timedelta(hours=30)
    assert read.waiting == 1


def test_the_openings_list_shows_each_funnel_and_all_of_them_together(
    opening: Opening, make: Factory, team: dict[str, User], client: FlaskClient
) -> None:
    other = make.opening(team["manager"], title="APM, Search", exercises=[(A, 90)])
    make.invite(opening)
    make.assignment(make.submission(opening, A), team["priya"])
    make.assignment(make.submission(other, A), team["priya"])
    sign_in_session(client, team["manager"])
    page = client.get("/hiring/").get_data(as_text=True)
    assert "All your openings together" in page
    assert re.search(r'<th scope="row">Priya Interviewer</th>\s*<td class="num">2</td>', page), "both openings' work"
    assert "Of 3 invited, 2 opened the link or further (67%), 2 started or further (67%), 2 handed in or further (67%)" \
        in page
    assert page.count('class="opening-funnel"') == 2


def test_links_go_again_to_the_ticked_candidates_except_one_mid_exercise_decided_or_just_sent_one(
    opening: Opening, make: Factory, team: dict[str, User], client: FlaskClient, clock: FrozenClock,
    db_session: Session
) -> None:
    waiting = make.invite(opening, name="Ada Waiting").candidate
    busy = make.attempt(opening, A, name="Ben Busy").candidate
    rejected = make.invite(opening, name="Dee Decided").candidate
    links.revoke(db_session, rejected, actor=None, now=clock.now)
    decisions.decide(db_session, make.library, opening, db_session.get(Candidate, rejected.id), "reject",
                     "Withdrew from the process by email.", actor=team["manager"], now=clock.now)
    clock.advance(minutes=30)
    fresh = make.invite(opening, name="Cy Fresh").candidate
    sign_in_session(client, team["manager"])
    url = f"/hiring/openings/{opening.slug}"
    before = _count(db_session, OutboundEmail)
    answer = client.post(f"{url}/candidates/resend-links", data={
        "csrf_token": csrf_token(client, url), "candidates": [waiting.id, busy.id, fresh.id, rejected.id]},
        follow_redirects=True)
    page = _page(answer)
    assert "Sent new links to Ada Waiting;" in page
    assert "No new link for Ben Busy: they are in the middle of an exercise" in page
    assert "No new link for Cy Fresh: a link went to them a moment ago" in page
    assert "No new link for Dee Decided: a decision on them stands" in page
    assert _count(db_session, OutboundEmail) == before + 1
    db_session.expire_all()
    assert len(db_session.get(Candidate, waiting.id).invitations) == 2
    assert [i.revoked_at for i in db_session.get(Candidate, busy.id).invitations] == [None]


def test_ticked_links_are_withdrawn_only_with_the_box_ticked_and_can_be_sent_again_at_once(
    opening: Opening, make: Factory, team: dict[str, User], client: FlaskClient, db_session: Session,
    clock: FrozenClock
) -> None:
    first, second = (make.invite(opening, name=n).candidate for n in ("Ada Going", "Ben Gone"))
    links.revoke(db_session, db_session.get(Candidate, second.id), actor=None, now=make.now())
    sign_in_session(client, team["manager"])
    url = f"/hiring/openings/{opening.slug}"
    unconfirmed = client.post(f"{url}/candidates/withdraw-links", data={
        "csrf_token": csrf_token(client, url), "candidates": [first.id]}, follow_redirects=True)
    assert "Tick the box beside “Withdraw links” to confirm" in _page(unconfirmed)
    assert db_session.scalar(select(Invitation.revoked_at).where(Invitation.candidate_id == first.id)) is None
    page = _page(client.post(f"{url}/candidates/withdraw-links", data={
        "csrf_token": csrf_token(client, url), "candidates": [first.id, second.id], "confirm": "y"},
        follow_redirects=True))
    assert "Withdrew the links of Ada Going; those links no longer work." in page
    assert "Nothing withdrawn for Ben Gone: they have no link to withdraw." in page
    assert db_session.scalar(select(Invitation.revoked_at).where(Invitation.candidate_id == first.id)) is not None
    # A withdrawn link is no reason to wait before sending a working one.
    again = _page(client.post(f"{url}/candidates/resend-links", data={
        "csrf_token": csrf_token(client, url), "candidates": [first.id, second.id]}, follow_redirects=True))
    assert "Sent new links to Ada Going, Ben Gone;" in again


@pytest.mark.parametrize("ids, says", [
    ([], "Tick the candidates first"),
    (["x"], "Tick candidates from the list"),
    ([999999], "not in this opening"),
    (list(range(1, 102)), "take at most 100 at a time"),
])
def test_a_batch_of_links_names_what_is_wrong_with_the_ticks_and_sends_nothing(
    opening: Opening, make: Factory, team: dict[str, User], client: FlaskClient, db_session: Session,
    ids: list[object], says: str
) -> None:
    make.invite(opening)
    sent = _count(db_session, OutboundEmail)
    sign_in_session(client, team["manager"])
    url = f"/hiring/openings/{opening.slug}"
    page = client.post(f"{url}/candidates/resend-links", data={"csrf_token": csrf_token(client, url),
                                                              "candidates": ids}, follow_redirects=True)
    assert says in _page(page)
    assert _count(db_session, OutboundEmail) == sent


def test_a_candidate_of_another_opening_among_the_ticked_is_refused_whole(
    opening: Opening, make: Factory, team: dict[str, User], client: FlaskClient, db_session: Session
) -> None:
    mine = make.invite(opening).candidate
    theirs = make.invite(make.opening(make.user(Role.HIRING_MANAGER))).candidate
    sign_in_session(client, team["manager"])
    url = f"/hiring/openings/{opening.slug}"
    page = _page(client.post(f"{url}/candidates/withdraw-links", data={
        "csrf_token": csrf_token(client, url), "candidates": [mine.id, theirs.id], "confirm": "y"},
        follow_redirects=True))
    assert "not in this opening" in page
    assert db_session.scalar(select(Invitation.revoked_at).where(Invitation.candidate_id == theirs.id)) is None
    assert db_session.scalar(select(Invitation.revoked_at).where(Invitation.candidate_id == mine.id)) is None


def _upload(client: FlaskClient, opening: Opening, data: bytes, name: str = "people.csv") -> tuple[int, str, str]:
    """Upload a file as the form does: the status, the page as read, and the page as sent."""
    url = f"/hiring/openings/{opening.slug}"
    answer = client.post(f"{url}/invite-file", data={"csrf_token": csrf_token(client, url),
                                                      "people_file": (io.BytesIO(data), name)},
                         content_type="multipart/form-data", follow_redirects=True)
    return answer.status_code, _page(answer), answer.get_data(as_text=True)


def test_a_spreadsheet_saved_by_excel_invites_everyone_with_their_accents_whole(
    opening: Opening, team: dict[str, User], client: FlaskClient, db_session: Session
) -> None:
    sign_in_session(client, team["manager"])
    utf8 = "\ufeffFirst name;Last name;Email\r\nZoë;Ångström;zoe@example.org\r\n;;\r\nJosé;Núñez;jose@example.org\r\n"
    status, page, _ = _upload(client, opening, utf8.encode("utf-8"))
    assert status == 200 and "Invited Zoë Ångström, José Núñez;" in page
    windows = "Name,Email\r\n\"Lovelace, Ada\",ada@example.org\r\nRenée Faure,renee@example.org\r\n"
    status, page, _ = _upload(client, opening, windows.encode("cp1252"))
    assert "Invited Lovelace, Ada, Renée Faure;" in page
    names = set(db_session.scalars(select(Candidate.name).where(Candidate.opening_id == opening.id)))
    assert names == {"Zoë Ångström", "José Núñez", "Lovelace, Ada", "Renée Faure"}


def test_rows_that_cannot_be_invited_come_back_in_the_box_by_row_number_and_the_rest_go(
    opening: Opening, make: Factory, team: dict[str, User], client: FlaskClient, db_session: Session
) -> None:
    make.invite(opening, name="Already Here", email="here@example.org")
    sign_in_session(client, team["manager"])
    sheet = ("Email\tName\n"
             "ok@example.org\tOk Person\n"
             "\tNo Address\n"
             "here@example.org\tAlready Here\n"
             "ok@example.org\tOk Again\n")
    status, page, raw = _upload(client, opening, sheet.encode())
    assert status == 200
    assert "Invited Ok Person;" in page
    assert "Row 3 (No Address): no email address in this row." in page
    assert "Row 4 (here@example.org)" in page and "Row 5 (ok@example.org)" in page
    box = re.search(r'name="people"[^>]*>(.*?)</textarea>', raw, re.S)
    assert box and html.unescape(box.group(1)).strip().splitlines() == [
        "No Address", "Already Here <here@example.org>", "Ok Again <ok@example.org>"]
    assert _count(db_session, Candidate) == 2


def test_a_name_with_a_comma_is_invited_from_the_paste_box_as_written(
    opening: Opening, team: dict[str, User], client: FlaskClient, db_session: Session
) -> None:
    sign_in_session(client, team["manager"])
    url = f"/hiring/openings/{opening.slug}"
    page = _page(client.post(f"{url}/invite-many", data={
        "csrf_token": csrf_token(client, url), "people": 'Smith, John <john@example.org>\n"Lovelace, Ada" <ada@example.org>'},
        follow_redirects=True))
    assert "Invited Smith, John, Lovelace, Ada;" in page
    assert set(db_session.scalars(select(Candidate.name))) == {"Smith, John", "Lovelace, Ada"}


@pytest.mark.parametrize("data, says", [
    (b"", "The file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "That is not a CSV file"),
    (b"Who,Where\nAda,London\n", "The first row must name the columns"),
    (b"Name,Email\n", "nobody under it"),
    (("Name,Email\n" + "".join(f"P{i},p{i}@example.org\n" for i in range(301))).encode(), "invite at most 300"),
])
def test_a_file_that_is_not_a_list_of_people_is_refused_and_nobody_is_invited(
    opening: Opening, team: dict[str, User], client: FlaskClient, db_session: Session, data: bytes, says: str
) -> None:
    sign_in_session(client, team["manager"])
    status, page, _ = _upload(client, opening, data)
    assert status == 400
    assert says in page
    assert _count(db_session, Candidate) == 0


def test_the_stages_the_migration_works_out_are_the_ones_the_services_keep(
    opening: Opening, make: Factory, team: dict[str, User], db_session: Session, clock: FrozenClock
) -> None:
    people = _people(make, opening, team)
    spec = importlib.util.spec_from_file_location(
        "backfill", Path(__file__).parents[2] / "migrations" / "versions" / "0018_where_each_candidate_stands.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    kept = {c.id: (c.stage, c.progress) for c in people.values()}
    db_session.execute(text("UPDATE candidates SET stage = 'invited', progress = 'invited'"))
    for statement in module.BACKFILL.split(";"):
        db_session.execute(text(statement))
    db_session.expire_all()
    assert {i: (db_session.get(Candidate, i).stage, db_session.get(Candidate, i).progress) for i in kept} == kept
    assert openings.count_candidates(db_session, opening) == 6


def test_a_candidate_whose_link_is_withdrawn_mid_exercise_is_told_the_session_ended_not_offline(
    opening: Opening, make: Factory, team: dict[str, User], app: object, db_session: Session
) -> None:
    invited = make.invite(opening, name="Mia Midway")
    candidate = app.test_client()  # type: ignore[attr-defined]
    open_link(candidate, invited.link)
    start(candidate)
    token = csrf_token(candidate, f"/c/exercises/{A}")
    links.revoke(db_session, db_session.get(Candidate, invited.candidate.id), actor=team["manager"], now=make.now())
    answer = candidate.post(f"/c/exercises/{A}/autosave", headers={"X-CSRFToken": token}, json={
        "client_id": "tab-aaaaaaaa", "seq": 1, "base_revision": 0, "answers": {}})
    assert answer.status_code == 401
    assert answer.get_json()["code"] == "session_ended"
    assert "Open the most recent link from your email" in answer.get_json()["message"]


def test_a_rejection_ends_the_link_the_candidate_could_still_use_and_other_decisions_do_not(
    opening: Opening, make: Factory, team: dict[str, User], client: FlaskClient, db_session: Session,
    clock: FrozenClock
) -> None:
    opening.exercises[:] = [opening.exercises[0]]  # one take-home: ready once it is scored
    db_session.commit()
    held, rejected = (make.submission(opening, A, name=n) for n in ("Hal Held", "Rex Rejected"))
    for attempt in (held, rejected):
        make.scorecard(make.assignment(attempt, team["priya"]), 3)
    sign_in_session(client, team["manager"])
    for person, outcome in ((held.candidate, "hold"), (rejected.candidate, "reject")):
        url = f"/hiring/openings/{opening.slug}/candidates/{person.id}"
        page = _page(client.post(url, data={"csrf_token": csrf_token(client, url), "outcome": outcome,
                                           "rationale": "The scorecards say enough to decide."},
                                 follow_redirects=True))
        assert ("Their link no longer works." in page) == (outcome == "reject")
    db_session.expire_all()
    live = {c: links.active_invitation(db_session.get(Candidate, c), clock.now) is not None
            for c in (held.candidate_id, rejected.candidate_id)}
    assert live == {held.candidate_id: True, rejected.candidate_id: False}
