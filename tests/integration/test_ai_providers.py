"""Drafts end to end against each provider as it really answers, replayed by a real server on loopback.

Each persona in tests/support/openai_server.py says which documented behaviour it follows."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import jsonschema
import openai
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from assess.ai.drafting import CUT_OFF, parse_answer
from assess.ai.evaluation import evaluate
from assess.ai.schema import AiOutputMode, json_schema
from assess.config import Config, ConfigError
from assess.models import AiDraftStatus, AiProviderMode, Assignment, Role
from assess.services import ai_providers, answering, attempts
from tests.support.ai import ANSWERS, DIMENSIONS, QUOTE, good_draft, run_draft
from tests.support.app import FrozenClock
from tests.support.factories import Factory
from tests.support.openai_server import (
    AZURE, LLAMA_CPP, LLAMA_CPP_OLD, OLLAMA, OLLAMA_OLD, OPENAI, OPENAI_WITHOUT_STRUCTURED_OUTPUTS, VLLM, Persona,
    ScriptedOpenAI, instance_of,
)
from tests.support.web import sign_in_session

A = "a-mini-prd"
KEY = "sk-loopback"
Provider = Callable[..., ScriptedOpenAI]


@pytest.fixture
def provider(app: Flask) -> Iterator[Provider]:
    """Start a persona's server and point the app's AI aid at it, as its documentation says to configure it."""
    started: list[ScriptedOpenAI] = []

    def start(persona: Persona | None = None, api_version: str = "2024-10-21") -> ScriptedOpenAI:
        server = ScriptedOpenAI(persona, api_key=KEY).start()
        started.append(server)
        app.config["ASSESS"] = app.config["ASSESS"].with_overrides(config_for(server, api_version))
        return server

    yield start
    for server in started:
        server.stop()


def config_for(server: ScriptedOpenAI, api_version: str = "2024-10-21") -> dict[str, Any]:
    if server.persona is not None and server.persona.azure:
        return {"ai_api_key": KEY, "ai_azure_endpoint": server.root, "ai_api_version": api_version,
                "ai_model": "assess-drafts", "ai_base_url": None, "ai_timeout": 5.0}
    return {"ai_api_key": KEY, "ai_base_url": server.base_url, "ai_model": "test-model", "ai_timeout": 5.0}


@pytest.fixture
def assignment(app: Flask, make: Factory, db_session: Session, clock: FrozenClock) -> Assignment:
    """An interviewer, assigned to a submission in an opening with the AI aid on, has rated every dimension."""
    manager, interviewer = make.user(Role.HIRING_MANAGER), make.user(Role.INTERVIEWER, name="Iris Interviewer")
    opening = make.opening(manager, ai_enabled=True)
    attempt = attempts.start(db_session, make.library, make.invite(opening).candidate, A, now=clock.now)
    answering.submit(db_session, app.config["ASSESS"], attempt, answers=ANSWERS, now=clock.now)
    made = make.assignment(attempt, interviewer, manager, now=clock.now)
    make.scorecard(made, 2, submit=False, evidence="noted", actor=interviewer)
    return made


def panel(client: FlaskClient, assignment: Assignment) -> str:
    sign_in_session(client, assignment.interviewer)
    return client.get(f"/review/assignments/{assignment.id}").get_data(as_text=True)


# -- providers that take the schema ------------------------------------------------------------------


@pytest.mark.parametrize("persona", [OPENAI, AZURE, VLLM, LLAMA_CPP, OLLAMA], ids=lambda p: p.name)
def test_a_provider_that_enforces_the_schema_gives_a_draft_of_every_dimension_with_its_quotes_kept(
    persona: Persona, provider: Provider, app: Flask, assignment: Assignment, db_session: Session,
) -> None:
    server = provider(persona)
    draft = run_draft(db_session, app, assignment)
    assert draft.status is AiDraftStatus.DONE, draft.error
    assert draft.output_mode is AiOutputMode.JSON_SCHEMA
    assert set(draft.result["dimensions"]) == set(DIMENSIONS)
    assert all(item["supported"] and item["dropped"] == 0 for item in draft.result["dimensions"].values())
    [request] = server.requests
    sent = request["body"]["response_format"]
    assert sent["type"] == "json_schema" and sent["json_schema"]["strict"] is True
    headers = {k.lower(): v for k, v in request["headers"].items()}
    if persona.azure:
        assert request["path"] == "/openai/deployments/assess-drafts/chat/completions?api-version=2024-10-21"
        assert headers["api-key"] == KEY and "authorization" not in headers
        assert draft.provider == f"{server.root}/openai/deployments/assess-drafts?api-version=2024-10-21"
    else:
        assert request["path"] == "/v1/chat/completions" and headers["authorization"] == f"Bearer {KEY}"
        assert draft.provider == server.base_url
    assert (draft.input_tokens, draft.output_tokens) == (1200, 300)


def test_azure_with_the_wrong_key_is_explained_and_nothing_is_remembered(
    provider: Provider, app: Flask, assignment: Assignment, db_session: Session
) -> None:
    """Azure answers 401 to a wrong api-key; that is no reason to stop sending the schema."""
    provider(AZURE)
    app.config["ASSESS"] = app.config["ASSESS"].with_overrides({"ai_api_key": "wrong"})
    draft = run_draft(db_session, app, assignment)
    assert draft.status is AiDraftStatus.FAILED
    assert draft.error == "The AI provider answered with an error (HTTP 401)."
    assert ai_providers.known_modes(db_session) == []


# -- providers that refuse it --------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "api_version", "words"), [
    (OPENAI_WITHOUT_STRUCTURED_OUTPUTS, "", "'response_format' of type 'json_schema' is not supported"),
    (LLAMA_CPP_OLD, "", 'must be one of "text" or "json_object", but got: json_schema'),
    (AZURE, "2024-02-01", "json_schema is enabled only for api versions 2024-08-01-preview and later"),
], ids=["openai older model", "llama.cpp older build", "azure older api-version"])
def test_a_refused_schema_falls_back_in_the_same_call_and_is_remembered_for_the_next_draft(
    persona: Persona, api_version: str, words: str, provider: Provider, app: Flask, assignment: Assignment,
    db_session: Session, client: FlaskClient,
) -> None:
    server = provider(persona, api_version=api_version or "2024-10-21")
    first = run_draft(db_session, app, assignment)
    assert first.status is AiDraftStatus.DONE, first.error
    assert first.output_mode is AiOutputMode.JSON_OBJECT
    assert [r["body"]["response_format"]["type"] for r in server.requests] == ["json_schema", "json_object"]
    assert server.requests[0]["body"]["messages"] == server.requests[1]["body"]["messages"]
    assert "```json" in server.requests[1]["body"]["messages"][0]["content"]  # the schema, in the prompt
    [noted] = db_session.scalars(select(AiProviderMode)).all()
    assert (noted.provider, noted.model, noted.mode) == (first.provider, first.model, AiOutputMode.JSON_OBJECT)
    assert words in noted.reason
    assert "Use " in panel(client, assignment)

    second = run_draft(db_session, app, assignment)
    assert second.status is AiDraftStatus.DONE and second.output_mode is AiOutputMode.JSON_OBJECT
    assert len(server.requests) == 3 and server.requests[2]["body"]["response_format"] == {"type": "json_object"}


def test_a_refusal_is_remembered_for_that_model_only_so_a_newer_model_on_the_endpoint_is_asked_for_the_schema(
    db_session: Session, clock: FrozenClock
) -> None:
    ai_providers.note_refusal(db_session, "https://api.openai.com/v1", "gpt-3.5-turbo", "Invalid parameter: "
                              "'response_format' of type 'json_schema' is not supported with this model.", now=clock.now)
    assert ai_providers.mode_for(db_session, "https://api.openai.com/v1", "gpt-3.5-turbo") is AiOutputMode.JSON_OBJECT
    assert ai_providers.mode_for(db_session, "https://api.openai.com/v1", "gpt-4o") is AiOutputMode.JSON_SCHEMA
    assert ai_providers.mode_for(db_session, "http://127.0.0.1:8000/v1", "gpt-3.5-turbo") is AiOutputMode.JSON_SCHEMA


def test_ollama_before_structured_outputs_ignores_the_schema_and_its_chatty_answer_is_still_read(
    provider: Provider, app: Flask, assignment: Assignment, db_session: Session
) -> None:
    server = provider(OLLAMA_OLD)
    draft = run_draft(db_session, app, assignment)
    assert draft.status is AiDraftStatus.DONE, draft.error
    assert len(server.requests) == 1 and draft.output_mode is AiOutputMode.JSON_SCHEMA
    assert ai_providers.known_modes(db_session) == []


# -- awkward replies -----------------------------------------------------------------------------------


@pytest.mark.parametrize("wrap", [
    lambda text: f"```json\n{text}\n```",
    lambda text: f"Here is the scorecard you asked for:\n{text}\nLet me know if you need more.",
], ids=["fenced code block", "text around the JSON"])
def test_json_wrapped_in_words_or_a_code_block_is_read(
    wrap: Callable[[str], str], provider: Provider, app: Flask, assignment: Assignment, db_session: Session
) -> None:
    server = provider(OLLAMA)
    server.reply(wrap(json.dumps(good_draft())))
    draft = run_draft(db_session, app, assignment)
    assert draft.status is AiDraftStatus.DONE and len(server.requests) == 1
    assert draft.result["dimensions"]["communication"]["evidence"] == [QUOTE]


def test_an_answer_without_usage_is_stored_with_its_costs_unknown(
    provider: Provider, app: Flask, assignment: Assignment, db_session: Session
) -> None:
    server = provider(LLAMA_CPP)
    server.reply(good_draft(), usage=False)
    draft = run_draft(db_session, app, assignment)
    assert draft.status is AiDraftStatus.DONE
    assert (draft.input_tokens, draft.output_tokens) == (None, None)


def test_an_answer_cut_off_by_the_token_limit_says_so_and_is_not_asked_for_again(
    provider: Provider, app: Flask, assignment: Assignment, db_session: Session, client: FlaskClient
) -> None:
    server = provider(VLLM)
    server.reply('{"dimensions": {"problem_framing": {"score": 4, "evidence": ["Trial admins at', finish_reason="length")
    draft = run_draft(db_session, app, assignment)
    assert draft.status is AiDraftStatus.FAILED and draft.error == CUT_OFF
    assert len(server.requests) == 1
    shown = panel(client, assignment)
    assert "cut off by the provider&#39;s length limit" in shown and "score this one as usual" in shown
    assert "output limit" not in shown and "server" not in CUT_OFF  # nothing only an admin could act on


def test_a_model_that_declines_fails_with_its_words_and_no_retry(
    provider: Provider, app: Flask, assignment: Assignment, db_session: Session, client: FlaskClient
) -> None:
    server = provider(OPENAI)
    server.decline("I'm sorry, I can't help with grading this.")
    draft = run_draft(db_session, app, assignment)
    assert draft.status is AiDraftStatus.FAILED
    assert draft.error == "The model declined to draft this scorecard, saying: “I'm sorry, I can't help with grading this.”"
    assert len(server.requests) == 1
    assert "The model declined to draft this scorecard, saying: “I&#39;m sorry" in panel(client, assignment)


def test_a_400_for_another_reason_is_explained_and_not_taken_for_a_refused_schema(
    provider: Provider, app: Flask, assignment: Assignment, db_session: Session
) -> None:
    server = provider(OPENAI)
    words = "This model's maximum context length is 8192 tokens. However, your messages resulted in 9100 tokens."
    server.fail(400, body={"error": {"message": words, "type": "invalid_request_error", "param": "messages",
                                     "code": "context_length_exceeded"}})
    draft = run_draft(db_session, app, assignment)
    assert draft.status is AiDraftStatus.FAILED
    assert draft.error == f"The AI provider refused the request (HTTP 400): {words}"
    assert len(server.requests) == 1 and draft.output_mode is AiOutputMode.JSON_SCHEMA
    assert ai_providers.known_modes(db_session) == []


def test_a_vllm_error_that_is_not_nested_under_error_still_gives_its_words(
    provider: Provider, app: Flask, assignment: Assignment, db_session: Session
) -> None:
    server = provider(VLLM)
    server.fail(400)
    draft = run_draft(db_session, app, assignment)
    assert draft.error == "The AI provider refused the request (HTTP 400): scripted 400"


# -- the loopback model is honest ----------------------------------------------------------------------


def test_without_a_schema_anywhere_the_loopback_model_answers_what_does_not_fit(provider: Provider) -> None:
    """A request with no schema (the aid's requests before it sent one) gets a guessed shape that fails."""
    server = provider(OPENAI)
    client = openai.OpenAI(api_key=KEY, base_url=server.base_url, max_retries=0)
    reply = client.chat.completions.create(model="m", response_format={"type": "json_object"}, messages=[
        {"role": "system", "content": "Draft a scorecard as JSON."},
        {"role": "user", "content": "\n".join(f"Dimension `{k}` (x)." for k in DIMENSIONS)}])
    with pytest.raises(ValueError, match="did not match the schema at dimensions"):
        parse_answer(reply.choices[0].message.content or "", DIMENSIONS)


def test_what_the_loopback_model_writes_is_valid_against_the_schema_it_was_given() -> None:
    schema = json_schema(DIMENSIONS)
    document = instance_of(schema, "\n".join(ANSWERS.values()))
    jsonschema.validate(document, schema)
    assert len({item["score"] for item in document["dimensions"].values()}) > 1


# -- the benchmark evaluation, all of it ------------------------------------------------------------------


@pytest.mark.parametrize("persona", [OPENAI, LLAMA_CPP_OLD], ids=["schema enforced", "schema refused"])
def test_the_evaluation_drafts_every_benchmark_answer_without_a_failure(
    persona: Persona, app: Flask, make: Factory
) -> None:
    server = ScriptedOpenAI(persona, api_key=KEY).start()
    try:
        config: Config = app.config["ASSESS"].with_overrides(config_for(server))
        evaluation = evaluate(config, make.library)
    finally:
        server.stop()
    runs = evaluation.runs
    assert len(runs) == sum(len(b) for b in make.library.benchmarks.values()) + sum(
        1 for b in make.library.benchmarks.values() for v in b.values() if v.content.level.value == "weak")
    assert [r.error for r in runs if r.error] == []
    assert all(set(r.predicted) == set(r.reference) for r in runs)
    asked = [r["body"]["response_format"]["type"] for r in server.requests]
    if persona.refuses_schema is None:
        assert asked == ["json_schema"] * len(runs)
    else:
        # Refused once, then every later draft asks for a JSON object from the start.
        assert asked == ["json_schema"] + ["json_object"] * len(runs)
        assert evaluation.mode is AiOutputMode.JSON_OBJECT and evaluation.fallback


# -- configuring Azure -----------------------------------------------------------------------------------


def test_azure_is_configured_from_the_clients_own_variables_and_a_missing_api_version_is_explained() -> None:
    from_env = Config.from_env({"AZURE_OPENAI_ENDPOINT": "https://example.openai.azure.com",
                                "AZURE_OPENAI_API_KEY": "k", "OPENAI_API_VERSION": "2024-10-21",
                                "ASSESS_AI_MODEL": "drafts"})
    assert (from_env.ai_azure_endpoint, from_env.ai_api_key, from_env.ai_api_version) == (
        "https://example.openai.azure.com", "k", "2024-10-21")
    assert from_env.ai_configured
    from_env.check()
    with pytest.raises(ConfigError, match="OPENAI_API_VERSION must be too"):
        Config.from_env({"AZURE_OPENAI_ENDPOINT": "https://example.openai.azure.com"}).check()
    with pytest.raises(ConfigError, match="not both"):
        Config.from_env({"AZURE_OPENAI_ENDPOINT": "https://e", "OPENAI_API_VERSION": "2024-10-21",
                         "OPENAI_BASE_URL": "http://127.0.0.1:11434/v1"}).check()
