"""Work that moves by itself: handed-in work given its interviewers as it arrives, interviewers emailed what they
were given and each morning what is open, candidates reminded before their link expires, interviewers when a
scorecard is overdue, and a third interviewer asked when two scorecards are far apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import Message

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assess.models import Assignment, AuditEvent, Opening, OutboundEmail, ReminderSent, User
from assess.services import assigning, calibration_sessions, candidate_data, decisions, reminders, scoring_state, work_mail
from tests.support.app import FrozenClock
from tests.support.factories import A, Factory
from tests.support.mail import Inbox, text_of
from tests.support.web import csrf_token, sign_in_session

B = "b-analytics"


@pytest.fixture
def opening(make: Factory, team: dict[str, User], db_session: Session) -> Opening:
    made = make.opening(team["manager"], title="APM, Payments", exercises=[(A, 90), (B, 45)], auto_assign=True)
    db_session.commit()
    return made


def body(message: Message) -> str:
    return text_of(message)  # type: ignore[union-attr]


def to(inbox: Inbox, who: User) -> list[Message]:
    return [m for m in inbox.messages if m["To"] == who.email]


def assigned_to(session: Session, attempt_id: int) -> set[int]:
    return set(session.scalars(select(Assignment.interviewer_id).where(Assignment.attempt_id == attempt_id)))


# -- assigned as it arrives --------------------------------------------------------------------------------------


def test_handed_in_work_gets_its_interviewers_and_each_is_emailed_by_code_only(
    make: Factory, team: dict[str, User], opening: Opening, mailing: Inbox, db_session: Session,
) -> None:
    attempt = make.submission(opening, A, name="Quinn Secretname", email="quinn.secret@example.net")
    on_it = assigned_to(db_session, attempt.id)
    assert len(on_it) == 2 and on_it <= {team["priya"].id, team["tom"].id, team["lena"].id}
    told = [m for m in mailing.messages if m["To"] != "quinn.secret@example.net"]
    assert sorted(m["To"] for m in told) == sorted(u.email for u in team.values() if u.id in on_it)
    for message in told:
        text = body(message)
        assert message["Subject"] == "New scoring work: 1 piece of work"
        assert f"Candidate {attempt.candidate.pseudonym}" in text and "APM, Payments" in text
        assert "Quinn" not in text and "quinn.secret" not in text
        assert "http://assess.test/review/assignments/" in text
    audit = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "assignment.auto")).one()
    assert audit.actor_kind == "system" and audit.details["reason"] == "handed_in"


def test_the_second_piece_goes_to_someone_who_has_not_read_the_first(
    make: Factory, team: dict[str, User], opening: Opening, db_session: Session,
) -> None:
    opening.interviewers_per_submission = 1
    db_session.commit()
    first = make.submission(opening, A)
    second = make.attempt(first.candidate, B)
    from assess.services import answering
    answering.submit(db_session, make.config, second, answers=make.benchmark_answers(B), now=make.now())
    assert assigned_to(db_session, first.id) != assigned_to(db_session, second.id)


def test_nothing_is_assigned_by_itself_when_the_opening_says_not_to(
    make: Factory, opening: Opening, db_session: Session,
) -> None:
    opening.auto_assign = False
    db_session.commit()
    attempt = make.submission(opening, A)
    assert assigned_to(db_session, attempt.id) == set()


def test_the_calibration_requirement_holds_for_work_assigned_by_itself(
    make: Factory, team: dict[str, User], opening: Opening, db_session: Session,
) -> None:
    opening.calibration_required = True
    db_session.commit()
    waiting = make.submission(opening, A)
    assert assigned_to(db_session, waiting.id) == set()  # nobody has passed: it waits, and the scoring page says so
    cs = calibration_sessions.create(db_session, make.library, opening, f"{A}/meets", actor=team["manager"],
                                     now=make.now())
    entry = next(e for e in cs.entries if e.interviewer_id == team["lena"].id)
    calibration_sessions.submit(db_session, make.library.scorecard(A).content, entry,
                                dict(calibration_sessions.reference_of(cs)), now=make.now())
    opening.interviewers_per_submission = 1
    db_session.commit()
    arrived = make.submission(opening, A)
    assert assigned_to(db_session, arrived.id) == {team["lena"].id}
    # Handing in fills what the candidate's earlier work still lacks too, so nothing waits for a button.
    assert assigned_to(db_session, waiting.id) == set()  # another candidate's work: their next hand-in fills it


def test_work_handed_in_after_scoring_closed_waits_and_nobody_is_emailed(
    make: Factory, team: dict[str, User], opening: Opening, mailing: Inbox, db_session: Session,
) -> None:
    scoring_state.close_scoring(db_session, opening, actor=team["manager"], now=make.now())
    attempt = make.submission(opening, A, email="late@example.net")
    assert assigned_to(db_session, attempt.id) == set()
    assert {m["To"] for m in mailing.messages} == {"late@example.net"}  # the invitation and the receipt only


def test_an_interviewer_who_chose_no_assignment_emails_is_given_work_but_not_emailed(
    make: Factory, team: dict[str, User], opening: Opening, mailing: Inbox, db_session: Session,
) -> None:
    opening.interviewers_per_submission = 3
    team["tom"].assignment_emails = False
    db_session.commit()
    attempt = make.submission(opening, A)
    assert team["tom"].id in assigned_to(db_session, attempt.id)
    assert to(mailing, team["tom"]) == [] and len(to(mailing, team["priya"])) == 1
    assert db_session.scalar(select(func.count()).where(Assignment.notified_at.is_(None))) == 0


def test_one_change_that_assigns_many_pieces_sends_each_interviewer_one_email(
    make: Factory, team: dict[str, User], opening: Opening, mailing: Inbox, db_session: Session,
) -> None:
    opening.auto_assign = False
    db_session.commit()
    for n in range(3):
        make.submission(opening, A, email=f"c{n}@example.net")
    mailing.messages.clear()
    result = assigning.auto_assign(db_session, make.library, opening, actor=team["manager"], now=make.now())
    assert result.added == 6
    counts = sorted(len(to(mailing, who)) for who in (team["priya"], team["tom"], team["lena"]))
    assert counts == [1, 1, 1]
    assert "2 pieces of work" in to(mailing, team["priya"])[0]["Subject"]


def test_an_assignment_by_hand_is_emailed_too(
    make: Factory, team: dict[str, User], opening: Opening, mailing: Inbox, db_session: Session,
) -> None:
    opening.auto_assign = False
    db_session.commit()
    attempt = make.submission(opening, A)
    make.assignment(attempt, team["lena"], team["manager"])
    [message] = to(mailing, team["lena"])
    assert "/review/assignments/" in body(message)


# -- the third interviewer ---------------------------------------------------------------------------------------


def test_two_scorecards_far_apart_bring_in_a_third_interviewer_once(
    make: Factory, team: dict[str, User], opening: Opening, mailing: Inbox, db_session: Session,
) -> None:
    opening.third_interviewer_gap = 2
    db_session.commit()
    attempt = make.submission(opening, A)
    first, second = sorted(db_session.scalars(select(Assignment).where(Assignment.attempt_id == attempt.id)),
                           key=lambda a: a.id)
    make.scorecard(first, 1)
    assert len(assigned_to(db_session, attempt.id)) == 2  # one scorecard alone disagrees with nobody
    make.scorecard(second, 4)
    on_it = assigned_to(db_session, attempt.id)
    assert len(on_it) == 3
    [third] = [a for a in db_session.scalars(select(Assignment).where(Assignment.attempt_id == attempt.id))
               if a.id not in (first.id, second.id)]
    assert len(to(mailing, third.interviewer)) == 1
    make.scorecard(third, 2)
    assert len(assigned_to(db_session, attempt.id)) == 3  # never a fourth by itself
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "assignment.auto")
                               .order_by(AuditEvent.id.desc())).first()
    assert event is not None and event.details["reason"] == "disagreement"


@pytest.mark.parametrize(("gap", "scores", "third"), [(None, (1, 4), False), (3, (1, 3), False), (3, (1, 4), True),
                                                      (2, (2, 3), False)])
def test_the_third_interviewer_comes_only_at_the_openings_threshold(
    make: Factory, opening: Opening, db_session: Session, gap: int | None, scores: tuple[int, int], third: bool,
) -> None:
    opening.third_interviewer_gap = gap
    db_session.commit()
    attempt = make.submission(opening, A)
    for assignment, value in zip(sorted(db_session.scalars(select(Assignment)), key=lambda a: a.id), scores,
                                 strict=True):
        make.scorecard(assignment, value)
    assert len(assigned_to(db_session, attempt.id)) == (3 if third else 2)


# -- candidates reminded before their link expires -----------------------------------------------------------


def test_a_candidate_still_at_work_is_reminded_three_days_and_one_day_before_expiry_once_each(
    make: Factory, opening: Opening, mailing: Inbox, db_session: Session, clock: FrozenClock,
) -> None:
    invited = make.invite(opening, name="Ada Candidate", email="ada@example.net")
    expires = invited.invitation.expires_at
    config = make.config
    clock.now = expires - timedelta(days=4)
    assert reminders.send_due(db_session, make.library, config, clock.now) == 0
    clock.now = expires - timedelta(days=2, hours=23)
    assert reminders.send_due(db_session, make.library, config, clock.now) == 1
    assert reminders.send_due(db_session, make.library, config, clock.now + timedelta(hours=5)) == 0
    clock.now = expires - timedelta(hours=20)
    assert reminders.send_due(db_session, make.library, config, clock.now) == 1
    assert reminders.send_due(db_session, make.library, config, clock.now + timedelta(hours=19)) == 0
    assert reminders.send_due(db_session, make.library, config, expires + timedelta(hours=1)) == 0
    sent = [m for m in mailing.messages if m["Subject"].startswith("Reminder")]
    assert [m["Subject"] for m in sent] == [
        "Reminder: your APM, Payments assessment link expires in 2 days",
        "Reminder: your APM, Payments assessment link expires in 20 hours"]
    assert "Ada Candidate" in body(sent[0]) and "not handed in any exercise yet" in body(sent[0])


def test_no_reminder_for_those_who_handed_everything_in_were_decided_on_erased_or_just_sent_a_link(
    make: Factory, team: dict[str, User], opening: Opening, db_session: Session, clock: FrozenClock,
) -> None:
    from assess.services import answering
    opening.auto_assign = False
    db_session.commit()
    done = make.submission(opening, A, email="done@example.net")
    answering.submit(db_session, make.config, make.attempt(done.candidate, B), answers=make.benchmark_answers(B),
                     now=make.now())
    erased = make.invite(opening, email="erased@example.net").candidate
    candidate_data.erase(db_session, erased, actor=team["manager"], reason="They asked.", now=make.now())
    waiting = make.invite(opening, email="waiting@example.net")
    # Decided on (after unblinding, in an opening of its own), and in an opening whose scoring is closed.
    elsewhere = make.opening(team["manager"], exercises=[(A, 90), (B, 45)])
    decided = make.submission(elsewhere, A, email="decided@example.net").candidate
    make.invite(elsewhere, email="closed@example.net")
    scoring_state.close_scoring(db_session, elsewhere, actor=team["manager"], now=make.now())
    scoring_state.unblind(db_session, elsewhere, actor=team["manager"], now=make.now())
    decisions.decide(db_session, make.library, elsewhere, decided, "reject", "Withdrew their application.",
                     actor=team["manager"], now=make.now())
    expires = waiting.invitation.expires_at
    assert reminders.remind_candidates(db_session, make.library, expires - timedelta(days=2)) == 1
    reminded = db_session.scalars(select(OutboundEmail.to_address)
                                  .where(OutboundEmail.subject.like("Reminder%"))).all()
    assert reminded == ["waiting@example.net"]


def test_a_reminder_closer_to_expiry_is_not_followed_by_an_earlier_one_when_the_days_change(
    make: Factory, opening: Opening, db_session: Session,
) -> None:
    expires = make.invite(opening, email="late@example.net").invitation.expires_at
    assert reminders.remind_candidates(db_session, make.library, expires - timedelta(hours=20)) == 1
    opening.expiry_reminder_days = [2]
    db_session.commit()
    assert reminders.remind_candidates(db_session, make.library, expires - timedelta(hours=10)) == 0


def test_a_link_sent_inside_a_reminders_window_skips_that_reminder(
    make: Factory, opening: Opening, db_session: Session, clock: FrozenClock,
) -> None:
    opening.invitation_valid_days = 2
    db_session.commit()
    invited = make.invite(opening, email="short@example.net")
    expires = invited.invitation.expires_at
    assert reminders.remind_candidates(db_session, make.library, expires - timedelta(days=1, hours=12)) == 0
    assert reminders.remind_candidates(db_session, make.library, expires - timedelta(hours=12)) == 1
    assert db_session.scalars(select(ReminderSent.step)).all() == [1]


# -- interviewers reminded of overdue work, and the morning digest --------------------------------------------


def test_an_overdue_scorecard_is_reminded_on_the_openings_cadence_and_a_reminder_by_hand_counts(
    make: Factory, team: dict[str, User], opening: Opening, mailing: Inbox, db_session: Session, clock: FrozenClock,
) -> None:
    opening.interviewers_per_submission = 1
    db_session.commit()
    attempt = make.submission(opening, A)
    [assignment] = db_session.scalars(select(Assignment).where(Assignment.attempt_id == attempt.id))
    who = assignment.interviewer
    config = make.config
    due = assignment.due_at
    mailing.messages.clear()

    def run(**after: float) -> int:
        clock.now = due + timedelta(**after)  # the worker's clock: mail written now is sent now
        return reminders.remind_interviewers(db_session, config, clock.now)

    assert run(hours=-1) == 0
    assert run(hours=1) == 1
    assert run(days=1) == 0
    assert run(days=2, hours=1) == 1
    db_session.refresh(assignment)
    clock.now = due + timedelta(days=4, hours=2)
    assigning.remind(db_session, config, opening, assignment, actor=team["manager"], now=clock.now)
    assert run(days=4, hours=3) == 0
    assert run(days=6, hours=3) == 1
    title = make.library.exercise(A).content.title
    assert [m["Subject"] for m in to(mailing, who)] == [f"Reminder: scorecard for {title}"] * 4
    make.scorecard(assignment, 3)
    assert run(days=9) == 0


def test_no_overdue_reminders_when_the_opening_sends_none_or_scoring_closed(
    make: Factory, team: dict[str, User], opening: Opening, db_session: Session,
) -> None:
    opening.overdue_reminder_days = 0
    db_session.commit()
    attempt = make.submission(opening, A)
    due = db_session.scalars(select(Assignment.due_at).where(Assignment.attempt_id == attempt.id)).first()
    assert reminders.remind_interviewers(db_session, make.config, due + timedelta(days=1)) == 0
    opening.overdue_reminder_days = 1
    db_session.commit()
    scoring_state.close_scoring(db_session, opening, actor=team["manager"], now=make.now())
    assert reminders.remind_interviewers(db_session, make.config, due + timedelta(days=1)) == 0


def test_the_morning_digest_goes_once_a_day_to_those_with_open_work_who_want_it(
    make: Factory, team: dict[str, User], opening: Opening, mailing: Inbox, db_session: Session, clock: FrozenClock,
) -> None:
    opening.interviewers_per_submission = 3
    team["lena"].daily_digest = False
    db_session.commit()
    attempt = make.submission(opening, A)
    mailing.messages.clear()
    config = make.config
    day = datetime(2026, 11, 3, tzinfo=UTC)

    def run(**after: float) -> int:
        clock.now = day + timedelta(**after)
        return work_mail.send_digests(db_session, config, clock.now)

    assert run(hours=6, minutes=59) == 0
    assert run(hours=7, minutes=1) == 2
    assert run(hours=15) == 0
    [priya_digest] = to(mailing, team["priya"])
    assert "1 piece of work" in priya_digest["Subject"] and f"Candidate {attempt.candidate.pseudonym}" in body(priya_digest)
    assert to(mailing, team["lena"]) == []
    assert run(days=6, hours=8) == 2
    assert "overdue" in to(mailing, team["priya"])[-1]["Subject"]


# -- the settings and the account page -------------------------------------------------------------------------


def test_the_hiring_manager_sets_the_cadences_and_bad_ones_are_explained(
    opening: Opening, team: dict[str, User], app: Flask, db_session: Session,
) -> None:
    client = app.test_client()
    sign_in_session(client, team["manager"])
    page = f"/hiring/openings/{opening.slug}/settings"
    shown = client.get(page).get_data(as_text=True)
    assert 'value="3, 1"' in shown and "Work that moves by itself" in shown
    base = {"invitation_valid_days": "14", "interviewers_per_submission": "2", "retention_days": "365",
            "ai_draft_timing": "after_rating", "overdue_reminder_days": "1", "third_interviewer_gap": "3"}
    answer = client.post(page, data={"csrf_token": csrf_token(client, page), "expiry_reminder_days": "5; 2, 2"} | base)
    assert answer.status_code == 302
    db_session.expire_all()
    changed = db_session.get(Opening, opening.id)
    assert (changed.auto_assign, changed.expiry_reminder_days, changed.overdue_reminder_days,
            changed.third_interviewer_gap) == (False, [5, 2], 1, 3)
    for wrong, says in (("3, soon", "Write whole numbers of days"), ("0", "1 to 30 days"),
                        ("5, 4, 3, 2", "at most 3 reminders")):
        refused = client.post(page, data={"csrf_token": csrf_token(client, page), "expiry_reminder_days": wrong} | base)
        assert refused.status_code == 200 and says in refused.get_data(as_text=True), wrong
        assert wrong in refused.get_data(as_text=True)  # what they typed stays in the box
    bad_gap = client.post(page, data={"csrf_token": csrf_token(client, page)} | base | {"third_interviewer_gap": "7"})
    assert "Not a valid choice" in bad_gap.get_data(as_text=True)


def test_an_interviewer_chooses_their_work_emails_on_the_account_page(
    team: dict[str, User], app: Flask, db_session: Session,
) -> None:
    client = app.test_client()
    sign_in_session(client, team["tom"])
    shown = client.get("/auth/account").get_data(as_text=True)
    assert "Emails about your work" in shown
    answer = client.post("/auth/account/emails", data={"csrf_token": csrf_token(client, "/auth/account"),
                                                       "daily_digest": "y"})
    assert answer.status_code == 302
    db_session.expire_all()
    tom = db_session.get(User, team["tom"].id)
    assert (tom.assignment_emails, tom.daily_digest) == (False, True)


def test_a_candidate_who_handed_in_part_of_the_work_is_reminded_and_one_who_handed_in_all_is_not(
    make: Factory, opening: Opening, db_session: Session,
) -> None:
    from assess.services import answering
    opening.auto_assign = False
    db_session.commit()
    part = make.submission(opening, A, email="part@example.net")
    whole = make.submission(opening, A, email="whole@example.net")
    answering.submit(db_session, make.config, make.attempt(whole.candidate, B), answers=make.benchmark_answers(B),
                     now=make.now())
    expires = part.candidate.invitations[0].expires_at
    assert reminders.remind_candidates(db_session, make.library, expires - timedelta(hours=20)) == 1
    [reminded] = db_session.scalars(select(OutboundEmail).where(OutboundEmail.subject.like("Reminder%"))).all()
    assert reminded.to_address == "part@example.net" and "handed in 1 exercise so far" in reminded.body_text


def test_a_third_interviewer_is_not_the_one_who_already_has_the_rest_of_the_candidates_work(
    make: Factory, team: dict[str, User], opening: Opening, db_session: Session,
) -> None:
    from assess.services import answering
    opening.third_interviewer_gap = 2
    opening.interviewers_per_submission = 1
    opening.auto_assign = False
    db_session.commit()
    first = make.submission(opening, A)
    second = make.attempt(first.candidate, B)
    answering.submit(db_session, make.config, second, answers=make.benchmark_answers(B), now=make.now())
    make.assignment(first, team["lena"], team["manager"])
    make.assignment(second, team["lena"], team["manager"])
    opening.interviewers_per_submission = 2
    db_session.commit()
    one = make.assignment(second, team["priya"], team["manager"])
    make.assignment(first, team["tom"], team["manager"])  # Tom scores the other piece too
    make.scorecard(db_session.get(Assignment, one.id), 1)
    lena_b = db_session.scalars(select(Assignment).where(Assignment.attempt_id == second.id,
                                                         Assignment.interviewer_id == team["lena"].id)).one()
    make.scorecard(lena_b, 4)
    third = assigned_to(db_session, second.id) - {team["lena"].id, team["priya"].id}
    assert third == {team["tom"].id}, "Lena holds all of the candidate's work already; the third is someone else"


def test_a_reminder_by_hand_goes_once_however_often_it_is_pressed_and_never_to_a_disabled_account(
    make: Factory, team: dict[str, User], opening: Opening, db_session: Session,
) -> None:
    from assess.errors import Conflict
    opening.interviewers_per_submission = 1
    db_session.commit()
    attempt = make.submission(opening, A)
    [assignment] = db_session.scalars(select(Assignment).where(Assignment.attempt_id == attempt.id))
    assigning.remind(db_session, make.config, opening, assignment, actor=team["manager"], now=make.now())
    with pytest.raises(Conflict, match="a moment ago"):
        assigning.remind(db_session, make.config, opening, assignment, actor=team["manager"], now=make.now())
    assignment.interviewer.active = False
    db_session.commit()
    with pytest.raises(Conflict, match="disabled"):
        assigning.remind(db_session, make.config, opening, assignment, actor=team["manager"],
                         now=make.now() + timedelta(hours=1))
