"""How a model did on the benchmark answers: measured, stored per model, and shown to admins and interviewers."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..ai.evaluation import Run, evaluate, figures
from ..ai.prompt import PROMPT_VERSION
from ..ai.provider import provider_label
from ..ai.schema import AiOutputMode
from ..config import Config
from ..content import ContentLibrary
from ..models import AiAidSetting, AiDraft, AiDraftStatus, AiEvalReport, AiProviderMode, Opening
from . import ai_aid, ai_providers

# What an admin sets, in the server's environment, to turn the aid on: each variable and what it is for.
SETUP_VARIABLES = (
    ("OPENAI_API_KEY", "required", "The provider's API key (any value for a local server that asks for none)."),
    ("ASSESS_AI_MODEL", "required", "The model to ask, e.g. gpt-4o-mini, or the deployment or model name your "
                                    "provider uses."),
    ("OPENAI_BASE_URL", "optional", "The provider's OpenAI-compatible address, for any provider but OpenAI "
                                    "(e.g. http://127.0.0.1:8000/v1 for vLLM, http://127.0.0.1:11434/v1 for Ollama)."),
    ("ASSESS_AI_TIMEOUT", "optional", "Seconds to wait for one answer; 60 unless set."),
)


@dataclass(frozen=True)
class Measured:
    """A benchmark run's report; row is None when every draft failed, so nothing was measured or stored."""

    report: dict[str, Any]
    row: AiEvalReport | None


def measure(
    session: Session, config: Config, library: ContentLibrary, *, exercises: list[str] | None = None,
    now: datetime, sleep: Callable[[float], None] = time.sleep,
) -> Measured:
    """Draft the benchmark answers with the configured model, in the mode its provider is known to accept,
    and store the figures as the model's latest report.

    A provider that refuses the schema during the run is remembered, so drafts ask it for a JSON object."""
    provider, model = provider_label(config), config.ai_model or ""
    known = ai_providers.noted(session, provider, model)
    evaluation = evaluate(config, library, exercises, mode=ai_providers.mode_for(session, provider, model),
                          sleep=sleep)
    if evaluation.fallback is not None:
        ai_providers.note_refusal(session, provider, model, evaluation.fallback, now=now)
    # A refusal remembered from an earlier run is why this one asked for a JSON object: the report says so.
    reason = evaluation.fallback or (known.reason if known is not None and known.mode is evaluation.mode else None)
    report = report_of(evaluation.runs, provider=provider, model=evaluation.model, mode=evaluation.mode,
                       fallback=reason if evaluation.mode is AiOutputMode.JSON_OBJECT else None, now=now)
    if report["drafts"] == report["failures"]:
        return Measured(report, None)
    return Measured(report, store(session, report, now=now))


def report_of(runs: list[Run], *, provider: str, model: str, now: datetime,
              mode: AiOutputMode = AiOutputMode.JSON_SCHEMA, fallback: str | None = None) -> dict[str, Any]:
    """The whole report, as printed, written to a file and stored: who was measured, how, and the figures."""
    return {
        "provider": provider,
        "model": model,
        "prompt_version": PROMPT_VERSION,
        "output_mode": mode.value,
        "fallback": None if fallback is None else {"mode": mode.value, "reason": fallback},
        "created_at": now.isoformat(),
    } | figures(runs)


def store(session: Session, report: dict[str, Any], *, now: datetime) -> AiEvalReport:
    """Keep a report as its model's latest."""
    row = AiEvalReport(provider=report["provider"], model=report["model"], prompt_version=report["prompt_version"],
                       output_mode=AiOutputMode(report["output_mode"]), created_at=now, report=report)
    session.add(row)
    session.commit()
    return row


def latest_per_model(session: Session) -> list[AiEvalReport]:
    """The newest report of each provider and model, newest first."""
    ranked = select(
        AiEvalReport.id,
        func.row_number().over(partition_by=(AiEvalReport.provider, AiEvalReport.model),
                               order_by=(AiEvalReport.created_at.desc(), AiEvalReport.id.desc())).label("rank"),
    ).subquery()
    newest = select(ranked.c.id).where(ranked.c.rank == 1)
    return list(session.scalars(select(AiEvalReport).where(AiEvalReport.id.in_(newest))
                                .order_by(AiEvalReport.created_at.desc(), AiEvalReport.id.desc())))


def benchmark_of(session: Session, draft: AiDraft | None) -> AiEvalReport | None:
    """The newest report of the model that made this finished draft (of its provider, where that is known)."""
    if draft is None or draft.status is not AiDraftStatus.DONE or not draft.model:
        return None
    query = select(AiEvalReport).where(AiEvalReport.model == draft.model)
    if draft.provider:
        query = query.where(AiEvalReport.provider == draft.provider)
    return session.scalars(query.order_by(AiEvalReport.created_at.desc(), AiEvalReport.id.desc()).limit(1)).first()


@dataclass(frozen=True)
class Overview:
    """Everything the admin's AI page shows."""

    switch: AiAidSetting
    configured: bool
    provider: str
    model: str | None
    prompt_version: str
    mode: AiOutputMode
    openings: list[Opening]
    reports: list[AiEvalReport]
    modes: list[AiProviderMode]


def overview(session: Session, config: Config) -> Overview:
    provider = provider_label(config)
    return Overview(
        switch=ai_aid.switch(session),
        configured=config.ai_configured,
        provider=provider,
        model=config.ai_model,
        prompt_version=PROMPT_VERSION,
        mode=ai_providers.mode_for(session, provider, config.ai_model or ""),
        openings=list(session.scalars(select(Opening).where(Opening.ai_enabled.is_(True)).order_by(Opening.title))),
        reports=latest_per_model(session),
        modes=ai_providers.known_modes(session),
    )
