"""A draft when the provider, the model or the people around it misbehave: what reaches the model, what is kept.

Everything goes through a real HTTP server on loopback; the switch and the candidate's choice are
changed from another connection while the model works, as an admin or the candidate would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from assess import create_app
from assess.ai import drafting
from assess.ai.masking import NAME
from assess.db import get_database
from assess.models import AiDraft, AiDraftStatus, Assignment, Candidate, Role, User
from assess.services import ai_aid, ai_drafts, effects, opening_settings
from assess.services.opening_settings import OpeningChanges
from tests.support.ai import ANSWERS, DIMENSIONS, QUOTE, good_draft, rated_assignment, run_draft, with_ai
from tests.support.app import make_config
from tests.support.factories import Factory
from tests.support.openai_server import ScriptedOpenAI, submission_of

NAMED = ANSWERS | {"segments": "Small firms; mid-size firms. Marisol Okonkwo-Díaz, for the review panel.",
                   "tracking_plan": "feed_connected, invite_sent (Okonkwo's list of events)."}


def named_assignment(make: Factory, session: Session, config: Any) -> Assignment:
    """Marisol Okonkwo-Díaz handed in a mini-PRD that names her; an interviewer rated every dimension 2."""
    return rated_assignment(make, session, config, answers=NAMED,
                            candidate={"name": "Marisol Okonkwo-Díaz", "email": "m.okonkwo@example.org"})


@pytest.fixture
def assignment(ai_app: Flask, make: Factory, db_session: Session) -> Assignment:
    return named_assignment(make, db_session, ai_app.config["ASSESS"])


# -- what reaches the model -------------------------------------------------------------------------------


def test_the_candidates_name_email_and_phone_never_reach_the_provider_and_quotes_of_masked_text_are_kept(
    ai_app: Flask, server: ScriptedOpenAI, assignment: Assignment, db_session: Session,
) -> None:
    masked_quote = f"mid-size firms. {NAME}, for the review panel"
    server.reply(good_draft(quote=masked_quote))
    draft = run_draft(db_session, ai_app, assignment)
    [request] = server.requests
    sent = json.dumps(request["body"], ensure_ascii=False)
    for secret in ("Marisol", "Okonkwo", "Díaz", "Diaz", "m.okonkwo@example.org", "quinn.private", "7946"):
        assert secret not in sent
    submission = submission_of(request["body"])
    assert f"Small firms; mid-size firms. {NAME}, for the review panel." in submission
    assert f"feed_connected, invite_sent ({NAME}'s list of events)." in submission
    assert "53% never connect a feed" in submission and "12% to 15%" in submission
    assert draft.status is AiDraftStatus.DONE
    assert all(d["evidence"] == [masked_quote] and d["supported"] for d in draft.result["dimensions"].values())


def test_a_quote_of_the_unmasked_name_is_not_evidence_since_the_model_never_saw_it(
    ai_app: Flask, server: ScriptedOpenAI, assignment: Assignment, db_session: Session,
) -> None:
    server.reply(good_draft(quote="mid-size firms. Marisol Okonkwo-Díaz, for the review panel"))
    draft = run_draft(db_session, ai_app, assignment)
    assert all(d["evidence"] == [] and d["dropped"] == 1 for d in draft.result["dimensions"].values())


# -- a provider that answers with something else --------------------------------------------------------------


@pytest.mark.parametrize("body", [
    (b"<html><body>Sign in to the corporate proxy</body></html>", "text/html"),
    (b"upstream connect error", "application/json"),
    (b"[]", "application/json"),
    (b'"ok"', "application/json"),
], ids=["html-page", "not-json", "a-list", "a-string"])
def test_a_200_that_is_not_a_chat_completion_fails_the_draft_in_plain_words(
    body: tuple[bytes, str], ai_app: Flask, server: ScriptedOpenAI, assignment: Assignment, db_session: Session,
) -> None:
    server.answer_raw(*body)
    draft = run_draft(db_session, ai_app, assignment)
    assert draft.status is AiDraftStatus.FAILED
    assert draft.error == f"The AI provider at {server.base_url} answered, but not with a chat completion: " \
                          "the address may point at something other than an OpenAI-compatible API."


def test_a_completion_with_fields_of_the_wrong_type_is_read_as_no_answer_not_a_crash(
    ai_app: Flask, server: ScriptedOpenAI, assignment: Assignment, db_session: Session,
) -> None:
    wrong = {"id": "x", "object": "chat.completion", "model": 7, "usage": {"prompt_tokens": "many"},
             "choices": [{"index": 0, "finish_reason": None, "message": {"role": "assistant", "content": 42}}]}
    server.answer_raw(json.dumps(wrong).encode())
    server.answer_raw(json.dumps(wrong).encode())
    draft = run_draft(db_session, ai_app, assignment)
    assert draft.status is AiDraftStatus.FAILED
    assert draft.error.startswith("The AI's answer could not be read, even after asking again")
    assert draft.model == "test-model" and draft.input_tokens is None


def test_an_answer_that_trickles_in_past_the_timeout_ends_the_draft_as_timed_out(
    ai_app: Flask, server: ScriptedOpenAI, assignment: Assignment, db_session: Session,
) -> None:
    server.trickle(good_draft(), every=0.2)  # each wait is short, the whole answer would take minutes
    draft = run_draft(db_session, ai_app, assignment)
    assert draft.status is AiDraftStatus.FAILED and len(server.requests) == 1
    assert draft.error == "The AI provider did not answer within 2 seconds."


def test_a_provider_error_is_shown_on_one_line_without_hidden_characters_and_cut_short(
    ai_app: Flask, server: ScriptedOpenAI, assignment: Assignment, db_session: Session, client: Any,
) -> None:
    server.fail(400, body={"error": {"message": "Bad request: \u202eevil\u200e " + "x" * 5000, "param": "messages"}})
    draft = run_draft(db_session, ai_app, assignment)
    assert draft.status is AiDraftStatus.FAILED and draft.error is not None
    assert draft.error.startswith("The AI provider refused the request (HTTP 400): Bad request: evil xxx")
    assert draft.error.endswith("x…") and "\u202e" not in draft.error and "\u200e" not in draft.error
    assert len(draft.error) < 400


def test_a_reply_far_longer_than_any_draft_is_not_read_or_asked_for_again(
    ai_app: Flask, server: ScriptedOpenAI, assignment: Assignment, db_session: Session,
) -> None:
    server.reply(json.dumps(good_draft()) + " " * drafting.MAX_REPLY_CHARS)
    draft = run_draft(db_session, ai_app, assignment)
    assert draft.status is AiDraftStatus.FAILED and len(server.requests) == 1
    assert draft.error.startswith("The AI's answer was far longer than any scorecard draft (100,")
    assert draft.result is None


def test_what_the_model_writes_is_kept_without_hidden_characters_and_within_bounds(
    ai_app: Flask, server: ScriptedOpenAI, assignment: Assignment, db_session: Session,
) -> None:
    hidden = "\u202egnirts\u202c \u200bzero\u2066width\u2069"
    answer = good_draft(quote="Trial admins at small\u200b firms stall at the card feed")
    for item in answer["dimensions"].values():
        item["rationale"] = f"{hidden} " + "long " * 2000
        item["evidence"] = item["evidence"] * 40
    answer |= {"strengths": [hidden] * 50, "feedback": hidden}
    server.reply(answer)
    draft = run_draft(db_session, ai_app, assignment)
    assert draft.status is AiDraftStatus.DONE, draft.error
    stored = json.dumps(draft.result, ensure_ascii=False)
    for char in "\u202e\u202c\u200b\u2066\u2069":
        assert char not in stored
    item = draft.result["dimensions"][DIMENSIONS[0]]
    assert item["evidence"] == [QUOTE] * 5 and item["supported"]
    assert len(item["rationale"]) == 2000 and item["rationale"].startswith("gnirts zerowidth long")
    assert draft.result["strengths"] == ["gnirts zerowidth"] * 10 and draft.result["feedback"] == "gnirts zerowidth"


def test_a_models_refusal_is_quoted_cut_short_and_shown_without_hidden_characters(
    ai_app: Flask, server: ScriptedOpenAI, assignment: Assignment, db_session: Session,
) -> None:
    server.decline("I can't\u202e grade   this.\n" + "Really. " * 200)
    draft = run_draft(db_session, ai_app, assignment)
    assert draft.status is AiDraftStatus.FAILED and len(server.requests) == 1
    assert draft.error.startswith("The model declined to draft this scorecard, saying: “I can't grade this. Really.")
    assert draft.error.endswith("…”") and len(draft.error) < 400 and "\u202e" not in draft.error


def test_an_unexpected_failure_while_drafting_ends_the_draft_failed_never_running(
    ai_app: Flask, server: ScriptedOpenAI, assignment: Assignment, db_session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(_: str) -> list[Any]:
        raise RuntimeError("the injection detector broke")

    monkeypatch.setattr(ai_drafts, "detect", broken)
    server.reply(good_draft())
    draft = run_draft(db_session, ai_app, assignment)
    db_session.expire_all()
    assert draft.status is AiDraftStatus.FAILED and draft.error == ai_drafts.UNEXPECTED
    assert draft.finished_at is not None and draft.result is None


# -- the people around the model, acting while it works ----------------------------------------------------


def _off_and_on_again(session: Session, candidate: Candidate, admin: User, now: Any) -> None:
    ai_aid.set_enabled(session, False, actor=admin, now=now)
    ai_aid.set_enabled(session, True, actor=admin, now=now)


def _opening_off_and_on_again(session: Session, candidate: Candidate, admin: User, now: Any) -> None:
    _opening_off(session, candidate, admin, now)
    opening = candidate.opening
    changes = {field: getattr(opening, field) for field in OpeningChanges.__dataclass_fields__}
    opening_settings.update_settings(session, opening, OpeningChanges(**changes | {"ai_enabled": True}),
                             actor=opening.hiring_manager, now=now)


def _switch_off(session: Session, candidate: Candidate, admin: User, now: Any) -> None:
    ai_aid.set_enabled(session, False, actor=admin, now=now)


def _decline(session: Session, candidate: Candidate, admin: User, now: Any) -> None:
    ai_aid.opt_out(session, candidate, now=now)


def _opening_off(session: Session, candidate: Candidate, admin: User, now: Any) -> None:
    opening = candidate.opening
    changes = {field: getattr(opening, field) for field in OpeningChanges.__dataclass_fields__}
    opening_settings.update_settings(session, opening, OpeningChanges(**changes | {"ai_enabled": False}),
                             actor=opening.hiring_manager, now=now)


@pytest.mark.parametrize(("act", "words"), [
    (_switch_off, ai_drafts.NOT_FOR_THIS_OPENING), (_opening_off, ai_drafts.NOT_FOR_THIS_OPENING),
    (_decline, ai_drafts.NOT_FOR_THIS_CANDIDATE), (_off_and_on_again, ai_drafts.NOT_FOR_THIS_OPENING),
    (_opening_off_and_on_again, ai_drafts.NOT_FOR_THIS_OPENING),
], ids=["admin-switches-off", "manager-turns-it-off-for-the-opening", "candidate-declines",
        "admin-switches-off-and-on-again", "manager-turns-it-off-and-on-again"])
def test_an_answer_that_arrives_after_the_aid_was_switched_off_or_declined_is_discarded(
    act: Any, words: str, committed_url: str, tmp_path: Path, server: ScriptedOpenAI,
) -> None:
    app = with_ai(create_app(make_config(tmp_path, database_url=committed_url)), server)
    database = get_database(app)
    try:
        with app.app_context():
            session = database.new_session()
            make = Factory(session, app)
            admin = make.user(Role.ADMIN)
            ai_aid.set_enabled(session, True, actor=admin, now=make.now())  # switched on earlier, and so known
            made = named_assignment(make, session, app.config["ASSESS"])
            candidate_id, admin_id = made.attempt.candidate.id, admin.id
            session.commit()

            def meanwhile(body: dict[str, Any]) -> str:
                """While the model works, someone else acts on their own connection."""
                with database.new_session() as other:
                    act(other, other.get(Candidate, candidate_id), other.get(User, admin_id), make.now())
                return json.dumps(good_draft())

            server.responder = meanwhile
            effects.connect(session.info, lambda effect, ids: False)
            config = app.config["ASSESS"]
            asked = ai_drafts.request(session, config, app.extensions["assess.content"], made,
                                      actor=made.interviewer, now=make.now())
            session.close()
            with database.new_session() as worker:  # the job runs in a session of its own, as in the worker
                draft = ai_drafts.run(worker, config, asked.id, now=make.now(), sleep=lambda _: None)
                assert draft is not None and len(server.requests) == 1
                assert draft.status is AiDraftStatus.FAILED and draft.error == f"{words} The draft was not made."
                assert draft.result is None
            with database.new_session() as fresh:
                stored = fresh.get(AiDraft, draft.id)
                assert stored is not None and stored.status is AiDraftStatus.FAILED and stored.result is None
    finally:
        database.engine.dispose()
