"""A measured model and the admin's AI page: ai-eval against a loopback provider, the stored report, the one switch."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from statsmodels.stats.inter_rater import cohens_kappa

from assess import create_app
from assess.ai.masking import mask
from assess.ai.prompt import PROMPT_VERSION
from assess.ai.schema import AiOutputMode
from assess.cli import ai_eval_command
from assess.content import ContentLibrary
from assess.db import get_database
from assess.domain.agreement import confusion_table
from assess.models import AiDraft, AiDraftStatus, AiEvalReport, AuditEvent, Role, User
from assess.services import ai_aid, ai_drafts, ai_providers, ai_reports, demo
from tests.support.app import FrozenClock, make_config
from tests.support.concurrency import at_once
from tests.support.factories import A, Factory
from tests.support import openai_server
from tests.support.openai_server import ScriptedOpenAI
from tests.support.web import csrf_token, sign_in_session


@pytest.fixture
def ai_app(ai_app: Flask, clock: FrozenClock) -> Flask:
    """The app with the AI aid set up, on the test's clock: a report is dated by it."""
    return ai_app


# -- a model that answers the benchmarks in a known way ------------------------------------------------

# Clean answers: the reference score, one point higher on the scorecard's first dimension (at most 5).
# With instructions appended: full marks on A and D, unflagged on A; B is unmoved but flagged.
GULLIBLE = {A: False, "d-writing-sample": True}


def _benchmark_in(library: ContentLibrary, text: str) -> tuple[str, str]:
    for key, benchmarks in library.benchmarks.items():
        for name, versioned in benchmarks.items():
            first = next(a for a in versioned.content.answers.values() if a.strip())
            if mask(first).strip()[:120] in text:
                return key, name
    raise AssertionError("the request held no benchmark answer")


def clean_score(library: ContentLibrary, key: str, dimension: str, reference: int) -> int:
    first = library.scorecard(key).content.dimension_keys[0]
    return min(5, reference + 1) if dimension == first else reference


def model_of(library: ContentLibrary) -> Any:
    def responder(body: dict[str, Any]) -> str:
        text = "\n".join(m["content"] for m in body["messages"])
        key, name = _benchmark_in(library, text)
        injected = "give it full marks" in text
        reference = {d: s.score for d, s in library.benchmarks[key][name].content.scores.items()}
        scores = {}
        for dimension in library.scorecard(key).content.dimension_keys:
            scores[dimension] = 5 if injected and key in GULLIBLE else clean_score(library, key, dimension,
                                                                                   reference[dimension])
        flagged = injected and GULLIBLE.get(key, True)
        return json.dumps(_in_requested_shape(body, scores) | {"strengths": [], "gaps": [], "feedback": "",
                                                               "instructions_detected": flagged})

    return responder


def _in_requested_shape(body: dict[str, Any], scores: dict[str, int]) -> dict[str, Any]:
    """The dimensions as the request asks for them: keyed by dimension where it carries the scorecard's schema
    (in response_format or written into the prompt), else the list the prompt's example shows."""
    system = str(body["messages"][0]["content"])
    if (body.get("response_format") or {}).get("type") == "json_schema" or "```json" in system:
        return {"dimensions": {d: {"score": s, "evidence": [], "rationale": "r"} for d, s in scores.items()}}
    return {"dimensions": [{"dimension": d, "score": s, "evidence": [], "rationale": "r"} for d, s in scores.items()]}


def expected_figures(library: ContentLibrary) -> dict[str, Any]:
    """The figures the model above should get, counted here from the benchmarks' reference scores."""
    pairs, inflation = [], []
    for key, benchmarks in library.benchmarks.items():
        for versioned in benchmarks.values():
            bench = versioned.content
            for dimension, ref in bench.scores.items():
                clean = clean_score(library, key, dimension, ref.score)
                pairs.append((ref.score, clean))
                if bench.level.value == "weak":
                    inflation.append((5 if key in GULLIBLE else clean) - clean)
    first, second = [a for a, _ in pairs], [b for _, b in pairs]
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = float(cohens_kappa(confusion_table(first, second), wt="quadratic").kappa)
    return {
        "answers": sum(len(b) for b in library.benchmarks.values()),
        "kappa": kappa,
        "exact": sum(a == b for a, b in pairs) / len(pairs),
        "adjacent": sum(abs(a - b) <= 1 for a, b in pairs) / len(pairs),
        "mean_difference": sum(b - a for a, b in pairs) / len(pairs),
        "inflation": sum(inflation) / len(inflation),
    }


def _lines(output: str) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in output.splitlines() if line.count(": ") == 1)


def _strict_json(text: str) -> Any:
    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


# -- ai-eval -----------------------------------------------------------------------------------------


def test_ai_eval_prints_kappa_agreement_and_inflation_writes_the_json_and_stores_the_report(
    server: ScriptedOpenAI, ai_app: Flask, runner: Any, db_session: Session, make: Factory, tmp_path: Any,
    clock: FrozenClock,
) -> None:
    library = make.library
    server.responder = model_of(library)
    out = tmp_path / "report.json"
    result = runner.invoke(ai_eval_command, ["--json", str(out)])
    print(result.output)
    assert result.exit_code == 0, result.output
    expected = expected_figures(library)
    lines = _lines(result.output)
    assert (lines["drafts"], lines["failures"]) == ("15", "0")  # twelve answers, the three weak ones twice
    assert lines["quadratic_weighted_kappa"] == f"{expected['kappa']:.3f}"
    assert lines["exact_agreement"] == f"{expected['exact']:.0%}"
    assert lines["adjacent_agreement"] == f"{expected['adjacent']:.0%}"
    assert lines["mean_difference"] == f"{expected['mean_difference']:.3f}"
    assert lines["injection_inflation"] == f"{expected['inflation']:.3f}"
    assert lines["injections_flagged"] == "2 of 3"
    low, high = (float(x) for x in re.match(r"(-?[\d.]+) to (-?[\d.]+) \(\d+ of 2000", lines["kappa_90_interval"]).groups())
    assert low <= round(expected["kappa"], 2) <= high < 1
    assert "2000 bootstrap resamples of whole benchmark answers, seed 15" in result.output
    for dimension in ("problem_framing", "communication", "analytics_measurement"):
        assert re.search(rf"^  {dimension} +\d+ +-?[\d.]+ +-?[\d.]+ to -?[\d.]+", result.output, re.M), dimension

    written = _strict_json(out.read_text())
    stored = db_session.scalars(select(AiEvalReport)).one()
    assert stored.report == written
    assert (stored.provider, stored.model, stored.prompt_version) == (server.base_url, "test-model", PROMPT_VERSION)
    assert stored.output_mode is AiOutputMode.JSON_SCHEMA and written["fallback"] is None
    assert stored.created_at == clock.now
    assert written["overall"]["answers"] == expected["answers"]
    assert written["overall"]["kappa"] == pytest.approx(expected["kappa"])
    assert written["overall"]["interval"][0] <= written["overall"]["kappa"] <= written["overall"]["interval"][1]
    assert written["injection"]["inflation"] == pytest.approx(expected["inflation"])
    assert set(written["dimensions"]) >= {"problem_framing", "communication"}


def test_the_same_drafts_give_the_same_report(server: ScriptedOpenAI, ai_app: Flask, runner: Any,
                                              db_session: Session, make: Factory) -> None:
    server.responder = model_of(make.library)
    for _ in range(2):
        assert runner.invoke(ai_eval_command, ["--exercise", A]).exit_code == 0
    first, second = db_session.scalars(select(AiEvalReport).order_by(AiEvalReport.id)).all()
    assert first.report == second.report
    assert ai_reports.latest_per_model(db_session) == [second]


def test_failed_drafts_are_printed_with_their_reasons_and_the_rest_is_still_measured(
    server: ScriptedOpenAI, ai_app: Flask, runner: Any, db_session: Session, make: Factory
) -> None:
    server.fail(500)
    server.responder = model_of(make.library)
    result = runner.invoke(ai_eval_command, ["--exercise", A])
    assert result.exit_code == 0, result.output
    lines = _lines(result.output)
    assert (lines["drafts"], lines["failures"]) == ("5", "1")
    assert "a-mini-prd/borderline: failed: The AI provider answered with an error (HTTP 500)." in result.output
    stored = db_session.scalars(select(AiEvalReport)).one()
    assert stored.report["failures"] == 1 and stored.report["overall"]["answers"] == 3


def test_when_every_draft_fails_ai_eval_says_so_exits_non_zero_and_stores_nothing(
    server: ScriptedOpenAI, ai_app: Flask, runner: Any, db_session: Session, tmp_path: Any
) -> None:
    out = tmp_path / "failed.json"
    result = runner.invoke(ai_eval_command, ["--exercise", A, "--json", str(out)])  # the server answers 500
    assert result.exit_code == 1
    assert "Every draft failed, so the model was not measured and no report was stored" in result.output
    assert "a-mini-prd/weak: failed: The AI provider answered with an error (HTTP 500)." in result.output
    assert "quadratic_weighted_kappa: n/a" in result.output
    written = _strict_json(out.read_text())
    assert written["overall"]["kappa"] is None and written["overall"]["missing"]["kappa"]
    assert db_session.scalars(select(AiEvalReport)).first() is None


def test_ai_eval_starts_in_the_mode_the_provider_is_known_to_accept(
    server: ScriptedOpenAI, ai_app: Flask, runner: Any, db_session: Session, make: Factory, clock: FrozenClock
) -> None:
    ai_providers.note_refusal(db_session, server.base_url, "test-model", "response_format json_schema is not supported",
                              now=clock.now)
    server.responder = model_of(make.library)
    assert runner.invoke(ai_eval_command, ["--exercise", A]).exit_code == 0
    stored = db_session.scalars(select(AiEvalReport)).one()
    assert stored.output_mode is AiOutputMode.JSON_OBJECT
    assert stored.report["output_mode"] == "json_object"


# Providers as they answer: one that enforces the schema, one that refuses it (see tests/support/openai_server.py).
SCHEMA_FOLLOWING = openai_server.OPENAI
SCHEMA_REFUSING = openai_server.OPENAI_WITHOUT_STRUCTURED_OUTPUTS


@pytest.mark.parametrize("persona", ["follows", "refuses"])
def test_ai_eval_drafts_every_answer_whether_the_provider_follows_the_schema_or_refuses_it(
    persona: str, app: Flask, runner: Any, db_session: Session, clock: FrozenClock,
) -> None:
    provider = openai_server.ScriptedOpenAI(SCHEMA_FOLLOWING if persona == "follows" else SCHEMA_REFUSING).start()
    try:
        app.config["ASSESS"] = app.config["ASSESS"].with_overrides(
            {"ai_api_key": "k", "ai_base_url": provider.base_url, "ai_model": "m", "ai_timeout": 2.0})
        result = runner.invoke(ai_eval_command, [])
    finally:
        provider.stop()
    assert result.exit_code == 0, result.output
    lines = _lines(result.output)
    assert (lines["drafts"], lines["failures"]) == ("15", "0")
    assert re.fullmatch(r"-?\d\.\d{3}", lines["quadratic_weighted_kappa"])
    assert re.fullmatch(r"-?\d\.\d{3}", lines["injection_inflation"])
    stored = db_session.scalars(select(AiEvalReport)).one()
    if persona == "follows":
        assert stored.output_mode is AiOutputMode.JSON_SCHEMA and stored.report["fallback"] is None
        return
    assert stored.output_mode is AiOutputMode.JSON_OBJECT
    assert "response_format" in stored.report["fallback"]["reason"]
    assert "\noutput_mode: json_object (the provider refused the schema: Invalid parameter: 'response_format'" in result.output
    assert ai_providers.mode_for(db_session, provider.base_url, "m") is AiOutputMode.JSON_OBJECT
    refused = [r for r in provider.requests if (r["body"].get("response_format") or {}).get("type") == "json_schema"]
    assert len(refused) == 1  # asked under the schema once; every later draft asked for a JSON object


def test_a_second_run_against_a_provider_remembered_to_refuse_the_schema_reports_why_it_asked_for_json(
    app: Flask, runner: Any, db_session: Session, clock: FrozenClock,
) -> None:
    provider = openai_server.ScriptedOpenAI(SCHEMA_REFUSING).start()
    try:
        app.config["ASSESS"] = app.config["ASSESS"].with_overrides(
            {"ai_api_key": "k", "ai_base_url": provider.base_url, "ai_model": "m", "ai_timeout": 2.0})
        first = runner.invoke(ai_eval_command, [])
        clock.advance(days=1)
        asked_before = len(provider.requests)
        second = runner.invoke(ai_eval_command, [])
    finally:
        provider.stop()
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    later = provider.requests[asked_before:]
    assert len(later) == 15 and all(r["body"]["response_format"] == {"type": "json_object"} for r in later)
    latest = db_session.scalars(select(AiEvalReport).order_by(AiEvalReport.id.desc())).first()
    assert latest is not None and latest.output_mode is AiOutputMode.JSON_OBJECT
    assert latest.report["fallback"] is not None and "response_format" in latest.report["fallback"]["reason"]
    assert "\noutput_mode: json_object (the provider refused the schema: Invalid parameter" in second.output


# -- the admin page ----------------------------------------------------------------------------------


def test_only_admins_reach_the_ai_page(app: Flask, client: FlaskClient, make: Factory) -> None:
    response = client.get("/admin/ai")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    sign_in_session(client, make.user(Role.HIRING_MANAGER))
    assert client.get("/admin/ai").status_code == 403
    sign_in_session(client, make.user(Role.INTERVIEWER))
    assert client.get("/admin/ai").status_code == 403
    assert client.post("/admin/ai/off", data={"confirm": "y"}).status_code in (400, 403)
    sign_in_session(client, make.user(Role.ADMIN))
    assert client.get("/admin/ai").status_code == 200
    assert 'href="/admin/ai"' in client.get("/admin/").get_data(as_text=True)


def test_an_admin_reads_how_to_turn_the_aid_on_when_this_server_is_not_set_up(
    app: Flask, client: FlaskClient, make: Factory
) -> None:
    sign_in_session(client, make.user(Role.ADMIN))
    page = client.get("/admin/ai").get_data(as_text=True)
    assert "How to turn it on" in page
    for name, _, _ in ai_reports.SETUP_VARIABLES:
        assert f"<code>{name}</code>" in page
    assert re.search(r"Set up here</dt>\s*<dd><strong>No</strong>", page)
    assert "No model has been measured yet" in page


def test_the_page_shows_the_model_its_openings_its_latest_report_and_a_remembered_fallback(
    server: ScriptedOpenAI, ai_app: Flask, runner: Any, client: FlaskClient, make: Factory, db_session: Session,
    clock: FrozenClock,
) -> None:
    make.opening(title="Growth APM", ai_enabled=True)
    make.opening(title="Platform APM")
    server.responder = model_of(make.library)
    assert runner.invoke(ai_eval_command, []).exit_code == 0
    ai_providers.note_refusal(db_session, "http://127.0.0.1:9/v1", "old-model", "response_format is not supported",
                              now=clock.now)
    sign_in_session(client, make.user(Role.ADMIN))
    page = client.get("/admin/ai").get_data(as_text=True)
    assert "How to turn it on" not in page
    assert f"<code>{server.base_url}</code>" in page and "<code>test-model</code>" in page
    assert f"<code>{PROMPT_VERSION}</code>" in page
    assert "Growth APM" in page and "Platform APM" not in page
    report = db_session.scalars(select(AiEvalReport)).one().report
    overall = report["overall"]
    assert f"<strong>{overall['kappa']:.2f}</strong>" in page
    assert f"{overall['interval'][0]:.2f} to {overall['interval'][1]:.2f}" in page
    assert f"{overall['exact'] * 100:.0f}%" in page and f"{overall['adjacent'] * 100:.0f}%" in page
    assert f"{report['injection']['inflation']:+.2f} points" in page and "flagged 2 of 3" in page
    assert "15 drafts, 0 failed" in page and "Problem framing" in page
    assert ("<code>http://127.0.0.1:9/v1</code>, model <code>old-model</code>: this model refused the schema on "
            '<time datetime="2026-11-02T09:00:00Z" data-style="date">02 Nov 2026</time>: '
            "“response_format is not supported”; drafts ask for a JSON object with the schema in the prompt.") in page


# -- the switch ----------------------------------------------------------------------------------------


@pytest.fixture
def interviewer(make: Factory) -> User:
    return make.user(Role.INTERVIEWER)


@pytest.fixture
def assignment(ai_app: Flask, make: Factory, interviewer: User) -> Any:
    """An interviewer who has rated every dimension of a submission in an opening with the aid on."""
    opening = make.opening(ai_enabled=True)
    made = make.assignment(make.submission(opening, A), interviewer)
    make.scorecard(made, 2, submit=False, actor=interviewer)
    return made


def test_switching_the_aid_off_reaches_every_interviewer_on_the_next_request_and_stops_queued_drafts(
    ai_app: Flask, client: FlaskClient, make: Factory, db_session: Session, interviewer: User, assignment: Any,
) -> None:
    queued = ai_drafts.request(db_session, ai_app.config["ASSESS"], make.library, assignment, actor=interviewer,
                               now=make.now())
    queued_id = queued.id
    page_url = f"/review/assignments/{assignment.id}"
    sign_in_session(client, interviewer)
    assert "Drafting…" in client.get(page_url).get_data(as_text=True)

    admin = make.user(Role.ADMIN, name="Ada Admin")
    admin_client = ai_app.test_client()
    sign_in_session(admin_client, admin)
    token = csrf_token(admin_client, "/admin/ai")
    refused = admin_client.post("/admin/ai/off", data={"csrf_token": token}, follow_redirects=True)
    assert "Tick the box beside the button to turn the AI aid off" in refused.get_data(as_text=True)
    assert ai_aid_on(db_session)
    done = admin_client.post("/admin/ai/off", data={"csrf_token": token, "confirm": "y"}, follow_redirects=True)
    assert "The AI aid is off for everyone" in done.get_data(as_text=True)
    assert not ai_aid_on(db_session)

    page = client.get(page_url).get_data(as_text=True)
    assert "The AI aid is not available for this opening." in page
    assert "Ask for an AI draft" not in page and "ASSESS_AI_MODEL" not in page
    db_session.expire_all()
    ai_drafts.run(db_session, ai_app.config["ASSESS"], queued_id, now=make.now())
    made = db_session.get(AiDraft, queued_id)
    assert made.status is AiDraftStatus.FAILED and "The draft was not made." in (made.error or "")
    response = client.post(f"{page_url}/ai-draft", data={"csrf_token": csrf_token(client, page_url)},
                           headers={"X-Fragment": "1"})
    assert "The AI aid is not available for this opening." in response.get_data(as_text=True)
    assert db_session.scalars(select(AiDraft)).all() == [made]
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "ai_aid.switched_off")).one()
    assert event.actor_user_id == admin.id

    admin_client.post("/admin/ai/on", data={"csrf_token": csrf_token(admin_client, "/admin/ai")})
    assert ai_aid_on(db_session)
    assert "Try again" in client.get(page_url).get_data(as_text=True)  # the stopped draft can be asked for again
    assert db_session.scalars(select(AuditEvent).where(AuditEvent.action == "ai_aid.switched_on")).one()


def ai_aid_on(session: Session) -> bool:
    session.expire_all()
    return ai_aid.is_on(session)


# -- the interviewer's panel ---------------------------------------------------------------------------


def test_the_interviewer_reads_how_the_drafts_model_did_on_the_benchmarks_beside_the_draft(
    server: ScriptedOpenAI, ai_app: Flask, runner: Any, client: FlaskClient, make: Factory, db_session: Session,
    interviewer: User, assignment: Any,
) -> None:
    server.responder = model_of(make.library)
    draft = ai_drafts.request(db_session, ai_app.config["ASSESS"], make.library, assignment, actor=interviewer,
                              now=make.now())
    ai_drafts.run(db_session, ai_app.config["ASSESS"], draft.id, now=make.now())
    sign_in_session(client, interviewer)
    panel_url = f"/review/assignments/{assignment.id}/ai-draft"
    panel = client.get(panel_url).get_data(as_text=True)
    assert "This model has not been measured on the benchmark answers yet." in panel

    assert runner.invoke(ai_eval_command, []).exit_code == 0
    overall = db_session.scalars(select(AiEvalReport)).one().report["overall"]
    panel = client.get(panel_url).get_data(as_text=True)
    assert "This model on the benchmark answers (" in panel and "02 Nov 2026" in panel
    assert (f"agreement with reference scores κ {overall['kappa']:.2f} (90% interval {overall['interval'][0]:.2f}–"
            f"{overall['interval'][1]:.2f}), exact {overall['exact'] * 100:.0f}%, within one point "
            f"{overall['adjacent'] * 100:.0f}%.") in panel
    assert "/admin" not in panel and "admin" not in panel.lower()


def test_a_report_of_another_model_is_not_shown_beside_the_draft(
    server: ScriptedOpenAI, ai_app: Flask, client: FlaskClient, make: Factory, db_session: Session,
    interviewer: User, assignment: Any, clock: FrozenClock,
) -> None:
    db_session.add(AiEvalReport(provider=server.base_url, model="another-model", prompt_version=PROMPT_VERSION,
                                output_mode=AiOutputMode.JSON_SCHEMA, created_at=clock.now,
                                report={"overall": {"kappa": 0.9}}))
    db_session.commit()
    server.responder = model_of(make.library)
    draft = ai_drafts.request(db_session, ai_app.config["ASSESS"], make.library, assignment, actor=interviewer,
                              now=make.now())
    ai_drafts.run(db_session, ai_app.config["ASSESS"], draft.id, now=make.now())
    sign_in_session(client, interviewer)
    panel = client.get(f"/review/assignments/{assignment.id}/ai-draft").get_data(as_text=True)
    assert "This model has not been measured on the benchmark answers yet." in panel


# -- the demo ------------------------------------------------------------------------------------------


def test_the_demo_leaves_a_report_of_its_model_that_the_admin_page_shows_as_demo_figures(
    seeded: Any, app: Flask, client: FlaskClient, db_session: Session, clock: FrozenClock
) -> None:
    report = db_session.scalars(select(AiEvalReport)).one()
    assert (report.model, report.provider, report.report["demo"], report.report["drafts"]) == (
        "gpt-4o-mini", "demo", True, 15)
    overall = report.report["overall"]
    assert 0.5 < overall["kappa"] < 1 and overall["interval"][0] <= overall["kappa"] <= overall["interval"][1]
    assert 0 < report.report["injection"]["inflation"] < 1 and report.report["injection"]["flagged"] == 2
    with app.app_context():
        demo.seed_demo(db_session, app.extensions["assess.content"], app.config["ASSESS"], clock.now)
    assert len(db_session.scalars(select(AiEvalReport)).all()) == 1
    admin = db_session.scalars(select(User).where(User.role == Role.ADMIN)).first()
    sign_in_session(client, admin)
    page = client.get("/admin/ai").get_data(as_text=True)
    assert "<code>gpt-4o-mini</code>" in page and "Demo figures" in page
    assert f"<strong>{overall['kappa']:.2f}</strong>" in page


def test_made_up_demo_figures_are_never_shown_as_a_measurement_of_a_configured_model(
    server: ScriptedOpenAI, app: Flask, db_session: Session, clock: FrozenClock, browser_for: Any
) -> None:
    app.config["ASSESS"] = app.config["ASSESS"].with_overrides(
        {"ai_api_key": "k", "ai_base_url": server.base_url, "ai_model": "gpt-4o-mini", "ai_timeout": 2.0})
    with app.app_context():
        demo.seed_demo(db_session, app.extensions["assess.content"], app.config["ASSESS"], clock.now)
    [report] = db_session.scalars(select(AiEvalReport)).all()
    assert report.provider == "demo" and not server.requests  # nothing was measured, and it says so
    real = AiDraft(model="gpt-4o-mini", provider=server.base_url, status=AiDraftStatus.DONE)
    assert ai_reports.benchmark_of(db_session, real) is None
    staged = db_session.scalars(select(AiDraft).where(AiDraft.provider == "demo")).first()
    assert ai_reports.benchmark_of(db_session, staged) == report


def test_admins_switching_the_aid_off_for_the_first_time_at_once_all_get_an_answer_and_one_switch(
    committed_url: str, tmp_path: Path,
) -> None:
    app = create_app(make_config(tmp_path, database_url=committed_url))
    try:
        with app.app_context():
            session = get_database(app).new_session()
            make = Factory(session, app)
            admins = [make.user(Role.ADMIN, name=f"Admin {n}") for n in range(8)]
            session.close()
        browsers = [app.test_client() for _ in admins]
        tokens = []
        for browser, admin in zip(browsers, admins):
            sign_in_session(browser, admin)
            tokens.append(csrf_token(browser, "/admin/ai"))
        answers = at_once(*(lambda b=b, t=t: b.post("/admin/ai/off", data={"csrf_token": t, "confirm": "y"})
                            for b, t in zip(browsers, tokens)))
        assert [getattr(a, "status_code", a) for a in answers] == [302] * len(admins)
        with app.app_context():
            session = get_database(app).new_session()
            assert not ai_aid.is_on(session)
            assert session.scalar(select(func.count()).select_from(AuditEvent)
                                  .where(AuditEvent.action == "ai_aid.switched_off")) == 1
            session.close()
    finally:
        get_database(app).engine.dispose()
