"""A deterministic look for text that tries to instruct the grader instead of answering."""

from __future__ import annotations

import re
from dataclasses import dataclass

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (label, re.compile(pattern, re.IGNORECASE))
    for label, pattern in (
        ("asks to ignore instructions", r"\b(ignore|disregard|forget|override)\b[^.\n]{0,40}\b(instructions?|prompts?|rubric|guidelines)\b"),
        ("asks for a particular score", r"\b(give|award|assign|score|rate)\b[^.\n]{0,30}\b(full|maximum|max|top|perfect|highest)\b[^.\n]{0,15}\b(marks?|scores?|points?|ratings?)"),
        ("asks for a particular score", r"\b(give|award|assign|rate|score)\s+(this|me|the candidate|it)\b[^.\n]{0,20}\b5\s*(/|out of)\s*5"),
        ("speaks to the grader", r"\b(as an ai|language model|dear (grader|evaluator|reviewer|assistant)|note to (the )?(grader|evaluator|ai|model))\b"),
        ("fake role marker", r"(^|\n)\s*(system|assistant|developer)\s*:|<\|?(im_start|system|assistant)\|?>|\[/?(INST|SYS)\]"),
        ("fake data boundary", r"<{2,}\s*/?\s*(submission|data|end)|end of (submission|data)\b"),
        ("hidden text", r"[\u200b\u200c\u200d\u2060\ufeff]|<!--|<span[^>]*display\s*:\s*none"),
        ("new instructions", r"\b(new|updated|real) instructions?\b|\byou (are|must) now\b"),
    )
)


@dataclass(frozen=True)
class Finding:
    label: str
    excerpt: str


def detect(text: str) -> list[Finding]:
    """Instruction-like passages in a candidate's text, one finding per kind."""
    findings: dict[str, Finding] = {}
    for label, pattern in _PATTERNS:
        match = pattern.search(text)
        if match and label not in findings:
            start, end = max(0, match.start() - 20), min(len(text), match.end() + 20)
            excerpt = text[start:end].replace("\n", " ").strip()
            findings[label] = Finding(label, excerpt.encode("ascii", "backslashreplace").decode())
    return list(findings.values())
