"""Structural checks shown beside a scorecard: counted, never judged, and never a score."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..content.schema import (
    AnsweredCheck,
    CitedFiguresCheck,
    DataVariant,
    Exercise,
    MetricTargetsCheck,
    PresentCheck,
    StructuralCheck,
    TrackingEventsCheck,
    UserStoriesCheck,
    WordCountsCheck,
)

Answers = Mapping[str, str]

_STORY = re.compile(r"\bas an?\s+[^\n]{2,80}?,?\s+i\s+(?:want|need|can|would like)\b", re.IGNORECASE)
_CRITERIA = re.compile(r"\bgiven\b|acceptance criteria|\bAC\s*[:\d]", re.IGNORECASE)
_TARGET = re.compile(r"\d+(?:\.\d+)?\s*%|\bfrom\s+\d[\d.,]*\s*%?\s*to\s+\d|\b(?:target|goal)\b[^.\n]*\d", re.IGNORECASE)
_EVENT = re.compile(r"`([a-z][a-z0-9]*(?:[_.][a-z0-9]+)+)`|\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\b")
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w])")


@dataclass(frozen=True)
class Check:
    """One observation about the shape of an answer."""

    label: str
    value: str
    ok: bool | None = None  # True: present; False: missing; None: just a figure
    detail: str = ""


def words(text: str) -> int:
    return len(text.split())


def _user_stories(check: UserStoriesCheck, answers: Answers, _: DataVariant | None) -> list[Check]:
    stories_text = answers.get(check.section, "")
    starts = [m.start() for m in _STORY.finditer(stories_text)]
    ends = [*starts[1:], len(stories_text)] if starts else []
    blocks = [stories_text[a:b] for a, b in zip(starts, ends, strict=True)]
    with_criteria = sum(1 for block in blocks if _CRITERIA.search(block))
    return [
        Check("User stories written", str(len(blocks)), check.min <= len(blocks) <= check.max,
              f"The brief asks for {check.min} to {check.max}."),
        Check("Stories with acceptance criteria", f"{with_criteria} of {len(blocks)}",
              bool(blocks) and with_criteria == len(blocks)),
    ]


def _metric_targets(check: MetricTargetsCheck, answers: Answers, _: DataVariant | None) -> list[Check]:
    metrics = answers.get(check.section, "")
    targets = _TARGET.findall(metrics)
    guardrail = bool(re.search(r"guardrail", metrics, re.I))
    return [
        Check("Metrics with a number or target", str(len(targets)), bool(targets)),
        Check("Guardrail metric named", "yes" if guardrail else "no", guardrail),
    ]


def _tracking_events(check: TrackingEventsCheck, answers: Answers, _: DataVariant | None) -> list[Check]:
    events = sorted({a or b for a, b in _EVENT.findall(answers.get(check.section, ""))})
    return [
        Check("Events named in the tracking plan", str(len(events)), len(events) >= check.min,
              ", ".join(events[:8]) + (" …" if len(events) > 8 else "")),
    ]


def _answered(check: AnsweredCheck, answers: Answers, _: DataVariant | None) -> list[Check]:
    return [
        Check(f"Answered: {key.replace('_', ' ')}", f"{words(text)} words", words(text) >= check.min_words)
        for key, text in answers.items()
    ]


def _present(check: PresentCheck, answers: Answers, _: DataVariant | None) -> list[Check]:
    return [
        Check(f"{key.replace('_', ' ').capitalize()} present", f"{words(text)} words", words(text) >= check.min_words)
        for key, text in answers.items()
    ]


def _word_counts(_: WordCountsCheck, answers: Answers, __: DataVariant | None) -> list[Check]:
    return [Check(key.replace("_", " ").capitalize(), f"{words(text)} words") for key, text in answers.items()]


def data_numbers(variant: DataVariant, datasets: tuple[str, ...] = ()) -> frozenset[int]:
    """The whole numbers in a data variant's tables (only those of datasets, when named)."""
    return frozenset(
        cell for table in variant.tables if not datasets or table.dataset in datasets
        for row in table.rows for cell in row if isinstance(cell, int)
    )


def _cited_figures(check: CitedFiguresCheck, answers: Answers, variant: DataVariant | None) -> list[Check]:
    numbers = data_numbers(variant, check.datasets) if variant is not None else frozenset()
    quoted = []
    for text in answers.values():
        for match in _NUMBER.finditer(text):
            value = int(match.group(1).replace(",", ""))
            if value >= check.min_value and value not in quoted:
                quoted.append(value)
    cited = [n for n in quoted if n in numbers]
    return [
        Check("Figures from the data cited", f"{len(cited)} of {len(quoted)} numbers quoted", bool(cited),
              ", ".join(f"{n:,}" for n in cited[:12]) + (" …" if len(cited) > 12 else ""))
    ]


# Every check an exercise can declare in its front matter, by the name it declares it with.
CHECKS: dict[str, Callable[[Any, Answers, DataVariant | None], list[Check]]] = {
    "user_stories": _user_stories,
    "metric_targets": _metric_targets,
    "tracking_events": _tracking_events,
    "answered": _answered,
    "present": _present,
    "word_counts": _word_counts,
    "cited_figures": _cited_figures,
}

_DEFAULT: tuple[StructuralCheck, ...] = (WordCountsCheck(check="word_counts"),)


def structural_checks(exercise: Exercise, answers: Answers, data_variant: str | None = None) -> list[Check]:
    """What can be counted in an answer, for the interviewer to weigh; it decides nothing.

    The exercise declares its checks; data_variant names the variant the candidate was given.
    """
    variant = exercise.variant(data_variant) if data_variant and exercise.variants else None
    return [found for check in exercise.checks or _DEFAULT for found in CHECKS[check.check](check, answers, variant)]
