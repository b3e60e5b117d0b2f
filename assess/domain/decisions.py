"""When a hiring manager may decide on a candidate: as soon as that candidate's scorecards are in.

A candidate is ready once every take-home exercise of the opening is handed in (or they can hand in nothing
more: no working link and nothing under way) and every piece of work they did hand in (and any live stage)
has its full number of interviewers, each with a submitted scorecard. So a candidate whose link ran out
before they started is ready at once (to be rejected, say). Other candidates may still be working; the
opening need not be closed. Once the opening is unblinded, anyone may be decided on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OUTCOMES = {"advance": "Advance", "hold": "Hold", "reject": "Reject"}
SHORTEST_REASON = 10  # characters: a reason is a sentence, not a word


@dataclass(frozen=True)
class WorkState:
    """One piece of a candidate's work, as scoring stands on it."""

    handed_in: bool  # a take-home handed in, or a live stage (which is never handed in online)
    live: bool
    assigned: int  # interviewers asked to score it
    unfinished: int  # of them, those without a submitted scorecard
    under_way: bool = False  # a take-home started and still open


@dataclass(frozen=True)
class Readiness:
    """What stands between the candidate and a decision; nothing, when they are ready."""

    take_homes: int  # take-home exercises in the opening
    handed_in: int  # of them, handed in by the candidate
    open_scorecards: int  # scorecards asked for and not yet submitted
    waiting_for_interviewers: int  # pieces of handed-in work with fewer interviewers than the opening asks
    submitted: int  # submitted scorecards on their work
    finished: bool = False  # they can hand in nothing more: no working link, nothing under way
    under_way: int = 0  # take-homes started and still open

    @property
    def ready(self) -> bool:
        return not self.missing()

    def missing(self) -> list[str]:
        """What is still missing, in words for the hiring manager; empty when ready."""
        said = []
        if self.handed_in < self.take_homes and not self.finished:
            said.append(f"{self.handed_in} of {self.take_homes} exercises handed in"
                        + (f", {self.under_way} under way" if self.under_way else ""))
        if self.waiting_for_interviewers:
            said.append(f"{_count(self.waiting_for_interviewers, 'exercise')} waiting for interviewers")
        if self.open_scorecards:
            said.append(f"{_count(self.open_scorecards, 'scorecard')} not yet submitted")
        if not said and not self.submitted and self.handed_in:
            said.append("no submitted scorecard yet")
        return said


def readiness(works: list[WorkState], *, take_homes: int, interviewers_per_submission: int,
              finished: bool = False) -> Readiness:
    """Where the candidate stands, from their work: handed-in take-homes and live stages count; work still in
    progress waits to be handed in. finished: the candidate can hand in nothing more."""
    scored = [w for w in works if w.handed_in]
    return Readiness(
        take_homes=take_homes,
        handed_in=sum(1 for w in scored if not w.live),
        open_scorecards=sum(w.unfinished for w in scored),
        waiting_for_interviewers=sum(1 for w in scored if w.assigned < interviewers_per_submission),
        submitted=sum(w.assigned - w.unfinished for w in scored),
        finished=finished,
        under_way=sum(1 for w in works if w.under_way),
    )


def check_reason(rationale: str) -> str | None:
    """The problem with a decision's reason, or None."""
    if len(rationale.strip()) < SHORTEST_REASON:
        return "Give the reason for the decision in a sentence or two."
    return None


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}{'' if n == 1 else 's'}"


# -- telling the candidate ----------------------------------------------------------------------------------

# What a template may name; anything else in braces is refused, so a typo never reaches a candidate.
PLACEHOLDERS = {"name": "the candidate's name", "opening": "the opening's title"}
LONGEST_SUBJECT = 200
LONGEST_BODY = 5000


@dataclass(frozen=True)
class EmailTemplate:
    subject: str
    body: str


DEFAULT_EMAILS = {
    "advance": EmailTemplate(
        "Your application for {opening}: next steps",
        "Hello {name},\n\nThank you for taking part in the assessment for {opening}. We would like you to go on "
        "to the next stage.\n\nWe will be in touch in the next few days to agree a time.\n\nBest wishes"),
    "hold": EmailTemplate(
        "Your application for {opening}",
        "Hello {name},\n\nThank you for your application for {opening}. We need a little more time before we "
        "can tell you where it goes next.\n\nWe will write again as soon as we know.\n\nBest wishes"),
    "reject": EmailTemplate(
        "Your application for {opening}",
        "Hello {name},\n\nThank you for your interest in {opening} and for the time you gave to it. We have "
        "decided not to take your application further this time.\n\nWe know this is not the answer you hoped "
        "for, and we wish you well in your search.\n\nBest wishes"),
}


def template_problem(text: str, *, longest: int) -> str | None:
    """What is wrong with a template's text, or None: too long, or naming something there is no value for."""
    if len(text) > longest:
        return f"Keep it under {longest:,} characters."
    for named in _named(text):
        if named not in PLACEHOLDERS:
            allowed = ", ".join("{" + key + "}" for key in PLACEHOLDERS)
            return f"{{{named}}} is not something the email can fill in; use {allowed}, or remove the braces."
    return None


def filled(template: EmailTemplate, *, name: str, opening: str) -> EmailTemplate:
    """The template with its placeholders filled in; other text, braces included, stays as written."""
    values = {"name": name, "opening": opening}

    def fill(text: str) -> str:  # in one pass, so a name that reads "{opening}" stays a name
        return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)

    return EmailTemplate(fill(template.subject), fill(template.body))


_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


def _named(text: str) -> list[str]:
    return re.findall(r"\{([^{}\s]+)\}", text)
