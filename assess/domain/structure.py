"""Structural checks shown beside a scorecard: counted, never judged, and never a score."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

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


def _mini_prd(answers: Answers, _: frozenset[int]) -> list[Check]:
    stories_text = answers.get("user_stories", "")
    starts = [m.start() for m in _STORY.finditer(stories_text)]
    ends = [*starts[1:], len(stories_text)] if starts else []
    blocks = [stories_text[a:b] for a, b in zip(starts, ends, strict=True)]
    with_criteria = sum(1 for block in blocks if _CRITERIA.search(block))
    metrics = answers.get("success_metrics", "")
    targets = _TARGET.findall(metrics)
    events = sorted({a or b for a, b in _EVENT.findall(answers.get("tracking_plan", ""))})
    return [
        Check("User stories written", str(len(blocks)), 5 <= len(blocks) <= 8, "The brief asks for 5 to 8."),
        Check("Stories with acceptance criteria", f"{with_criteria} of {len(blocks)}",
              bool(blocks) and with_criteria == len(blocks)),
        Check("Metrics with a number or target", str(len(targets)), bool(targets)),
        Check("Guardrail metric named", "yes" if re.search(r"guardrail", metrics, re.I) else "no",
              bool(re.search(r"guardrail", metrics, re.I))),
        Check("Events named in the tracking plan", str(len(events)), len(events) >= 3,
              ", ".join(events[:8]) + (" …" if len(events) > 8 else "")),
    ]


def _analytics(answers: Answers, data_numbers: frozenset[int]) -> list[Check]:
    checks = [
        Check(f"Answered: {key.replace('_', ' ')}", f"{words(text)} words", words(text) >= 25)
        for key, text in answers.items()
    ]
    quoted = []
    for text in answers.values():
        for match in _NUMBER.finditer(text):
            value = int(match.group(1).replace(",", ""))
            if value >= 10 and value not in quoted:
                quoted.append(value)
    cited = [n for n in quoted if n in data_numbers]
    checks.append(
        Check("Figures from the data cited", f"{len(cited)} of {len(quoted)} numbers quoted", bool(cited),
              ", ".join(f"{n:,}" for n in cited[:12]) + (" …" if len(cited) > 12 else ""))
    )
    return checks


def _writing(answers: Answers, _: frozenset[int]) -> list[Check]:
    return [
        Check(f"{key.replace('_', ' ').capitalize()} present", f"{words(text)} words", words(text) >= 40)
        for key, text in answers.items()
    ]


def _lengths(answers: Answers, _: frozenset[int]) -> list[Check]:
    return [Check(key.replace("_", " ").capitalize(), f"{words(text)} words") for key, text in answers.items()]


CHECKS: dict[str, Callable[[Answers, frozenset[int]], list[Check]]] = {
    "a-mini-prd": _mini_prd,
    "b-analytics": _analytics,
    "d-writing-sample": _writing,
}


def structural_checks(exercise_key: str, answers: Answers, data_numbers: frozenset[int] = frozenset()) -> list[Check]:
    """What can be counted in an answer, for the interviewer to weigh; it decides nothing."""
    return CHECKS.get(exercise_key, _lengths)(answers, data_numbers)
