"""The pipeline: how far an opening's candidates have come, how long scoring takes, and who has work open."""

from __future__ import annotations

from flask import render_template

from ... import clock, db
from ...domain.decisions import OUTCOMES
from ...domain.pipeline import Stage, duration_words
from ...services import pipeline
from .. import charts
from . import bp, current_opening, for_recruiters


@bp.get("/openings/<slug>/pipeline")
@for_recruiters()
def pipeline_page() -> str:
    session = db.session()
    found = current_opening()
    now = clock.now()
    counted = pipeline.counts(session, [found.id])[found.id]
    steps = counted.funnel
    return render_template(
        "hiring/pipeline.html", opening=found, steps=steps, chart=charts.funnel_chart(steps), counted=counted,
        outcomes=pipeline.outcomes(session, found), outcome_labels=OUTCOMES,
        scoring=pipeline.scoring(session, found, now), loads=pipeline.workload(session, [found.id], now),
        duration=duration_words, now=now, Stage=Stage,
    )
