"""Who may use each route: the visitors, the outcome each gets on every route and method, and the world they meet.

EXPECTED is the one table of who gets in where. The authorisation matrix checks
it route by route; the generated-input walk uses it to choose, for each route,
the least privileged visitor who may use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.routing import Rule

from assess.models import Role
from assess.services import answering, api_tokens, assigning, attempts, calibration_sessions, webhooks

from .factories import Factory
from .web import sign_in_session

# -- what each visitor may do ----------------------------------------------------------

ANONYMOUS = "anonymous"
CANDIDATE_A = "candidate A"
CANDIDATE_B = "candidate B"
ASSIGNED = "interviewer assigned to the object"
UNASSIGNED = "interviewer not assigned to it"
OTHER_MANAGER = "hiring manager of another opening"
MANAGER = "the opening's hiring manager"
MANAGER_FOREIGN_IDS = "the opening's hiring manager, with another opening's ids"
CO_OWNER = "a hiring manager on the opening's team"
RECRUITER = "a recruiter on the opening's team (results not opened to recruiters)"
OTHER_RECRUITER = "a recruiter on another opening's team"
ADMIN = "admin"
VISITORS = (ANONYMOUS, CANDIDATE_A, CANDIDATE_B, ASSIGNED, UNASSIGNED, OTHER_RECRUITER, RECRUITER, OTHER_MANAGER,
            MANAGER, MANAGER_FOREIGN_IDS, CO_OWNER, ADMIN)

# Outcomes. "ok" means the request got past the checks (2xx, a redirect elsewhere than the
# sign-in page, or a 400/409/422 about the input); every other outcome is a refusal.
OK = "ok"
SIGN_IN = "sent to sign in"
UNAUTHENTICATED = "asked to prove who they are (401)"
FORBIDDEN = "forbidden (403)"
NOT_FOUND = "not found (404)"

STAFF = (ASSIGNED, UNASSIGNED, OTHER_RECRUITER, RECRUITER, OTHER_MANAGER, MANAGER, MANAGER_FOREIGN_IDS, CO_OWNER,
         ADMIN)
NOT_STAFF = (ANONYMOUS, CANDIDATE_A, CANDIDATE_B)
MANAGERS = (OTHER_MANAGER, MANAGER, MANAGER_FOREIGN_IDS, CO_OWNER)
INTERVIEWER_VISITORS = (ASSIGNED, UNASSIGNED)
RECRUITERS = (OTHER_RECRUITER, RECRUITER)


def policy(default: str, **by_visitor: str) -> dict[str, str]:
    return {visitor: by_visitor.get(visitor, default) for visitor in VISITORS}


def outcomes(ok: tuple[str, ...] = (), forbidden: tuple[str, ...] = (), missing: tuple[str, ...] = (),
             sign_in: tuple[str, ...] = NOT_STAFF, unauthenticated: tuple[str, ...] = ()) -> dict[str, str]:
    table = {v: OK for v in ok} | {v: FORBIDDEN for v in forbidden} | {v: NOT_FOUND for v in missing}
    table |= {v: SIGN_IN for v in sign_in} | {v: UNAUTHENTICATED for v in unauthenticated}
    assert set(table) == set(VISITORS), f"every visitor needs an outcome; missing {set(VISITORS) - set(table)}"
    return table


EVERYONE = outcomes(ok=VISITORS, sign_in=())
SIGNED_IN_STAFF = outcomes(ok=STAFF)
CANDIDATE_ONLY = outcomes(ok=(CANDIDATE_A, CANDIDATE_B), unauthenticated=(ANONYMOUS, *STAFF), sign_in=())
MANAGERS_AND_ADMINS = outcomes(ok=(*MANAGERS, ADMIN), forbidden=(*INTERVIEWER_VISITORS, *RECRUITERS))
# The list of openings: each person sees those they work on.
OPENINGS_LIST = outcomes(ok=(*MANAGERS, *RECRUITERS, ADMIN), forbidden=INTERVIEWER_VISITORS)
# Objects of one opening: the people on it (its manager, co-owners) and admins only; anyone else learns nothing,
# not even that the opening exists. Ids of another opening's objects under this opening's address are not found.
# Recruiters on the opening use only the pages opened to them; the rest answer them 403.
THE_OPENING = outcomes(ok=(MANAGER, MANAGER_FOREIGN_IDS, CO_OWNER, ADMIN), missing=(OTHER_MANAGER, OTHER_RECRUITER),
                       forbidden=(*INTERVIEWER_VISITORS, RECRUITER))
THE_OPENINGS_OBJECT = outcomes(ok=(MANAGER, CO_OWNER, ADMIN),
                               missing=(OTHER_MANAGER, MANAGER_FOREIGN_IDS, OTHER_RECRUITER),
                               forbidden=(*INTERVIEWER_VISITORS, RECRUITER))
# ...and the pages a recruiter on the opening uses: inviting, following progress, the outbox.
WITH_RECRUITERS = outcomes(ok=(MANAGER, MANAGER_FOREIGN_IDS, CO_OWNER, RECRUITER, ADMIN),
                           missing=(OTHER_MANAGER, OTHER_RECRUITER), forbidden=INTERVIEWER_VISITORS)
OBJECT_WITH_RECRUITERS = outcomes(ok=(MANAGER, CO_OWNER, RECRUITER, ADMIN),
                                  missing=(OTHER_MANAGER, MANAGER_FOREIGN_IDS, OTHER_RECRUITER),
                                  forbidden=INTERVIEWER_VISITORS)
INTERVIEWERS = outcomes(ok=INTERVIEWER_VISITORS, forbidden=(*MANAGERS, *RECRUITERS, ADMIN))
THE_INTERVIEWERS_OWN = outcomes(ok=(ASSIGNED,), missing=(UNASSIGNED,), forbidden=(*MANAGERS, *RECRUITERS, ADMIN))
ADMINS = outcomes(ok=(ADMIN,), forbidden=(*INTERVIEWER_VISITORS, *RECRUITERS, *MANAGERS))
# The JSON API takes bearer tokens only: no session, staff or candidate, opens it.
API = outcomes(unauthenticated=VISITORS, sign_in=())

# (endpoint, method) -> who may do it. One line per route and method.
EXPECTED: dict[tuple[str, str], dict[str, str]] = {
    ("static", "GET"): EVERYONE,
    ("main.health", "GET"): EVERYONE,
    ("main.home", "GET"): SIGNED_IN_STAFF,
    ("auth.login", "GET"): EVERYONE,
    ("auth.login", "POST"): EVERYONE,
    # Signing out always ends on the sign-in page, whoever asks.
    ("auth.logout", "POST"): outcomes(sign_in=VISITORS),
    ("auth.logout_everywhere", "POST"): outcomes(sign_in=VISITORS),
    ("auth.account", "GET"): SIGNED_IN_STAFF,
    ("auth.work_emails", "POST"): SIGNED_IN_STAFF,
    # The emailed token is the credential; asking for one says the same for every address.
    ("auth.forgot_password", "GET"): EVERYONE,
    ("auth.forgot_password", "POST"): EVERYONE,
    ("auth.choose_password", "GET"): EVERYONE,
    ("auth.choose_password", "POST"): EVERYONE,
    # The emailed token is the credential: whoever holds it becomes that candidate.
    ("candidate.start_link", "GET"): EVERYONE,
    ("candidate.welcome", "GET"): CANDIDATE_ONLY,
    ("candidate.start", "POST"): CANDIDATE_ONLY,
    ("candidate.exercise", "GET"): CANDIDATE_ONLY,
    ("candidate.exercise", "POST"): CANDIDATE_ONLY,
    ("candidate.autosave", "POST"): CANDIDATE_ONLY,
    ("candidate.receipt", "GET"): CANDIDATE_ONLY,
    ("candidate.dataset_csv", "GET"): CANDIDATE_ONLY,
    ("candidate.preview", "POST"): CANDIDATE_ONLY,
    # A candidate's wish that no AI reads their work: only ever their own, as their session says who they are.
    ("candidate.decline_ai", "POST"): CANDIDATE_ONLY,
    ("hiring.index", "GET"): OPENINGS_LIST,
    ("hiring.new_opening", "GET"): MANAGERS_AND_ADMINS,
    ("hiring.new_opening", "POST"): MANAGERS_AND_ADMINS,
    ("hiring.opening", "GET"): WITH_RECRUITERS,
    ("hiring.people_page", "GET"): THE_OPENING,
    ("hiring.add_member", "POST"): THE_OPENING,
    ("hiring.remove_member", "POST"): THE_OPENING,
    ("hiring.hand_over", "POST"): THE_OPENING,
    ("hiring.recruiter_sight", "POST"): THE_OPENING,
    ("hiring.settings", "GET"): THE_OPENING,
    ("hiring.settings", "POST"): THE_OPENING,
    ("hiring.decision_emails", "POST"): THE_OPENING,
    ("hiring.outbox", "GET"): WITH_RECRUITERS,
    ("hiring.invite", "POST"): WITH_RECRUITERS,
    ("hiring.invite_many", "POST"): WITH_RECRUITERS,
    ("hiring.invite_file", "POST"): WITH_RECRUITERS,
    # Candidates from another opening among those ticked are refused whole, as for decisions.
    ("hiring.resend_many", "POST"): WITH_RECRUITERS,
    ("hiring.withdraw_many", "POST"): WITH_RECRUITERS,
    ("hiring.pipeline_page", "GET"): WITH_RECRUITERS,
    ("hiring.resend", "POST"): OBJECT_WITH_RECRUITERS,
    ("hiring.revoke", "POST"): OBJECT_WITH_RECRUITERS,
    ("hiring.extend_window", "POST"): OBJECT_WITH_RECRUITERS,
    ("hiring.extend_time", "POST"): OBJECT_WITH_RECRUITERS,
    ("hiring.candidate_page", "GET"): OBJECT_WITH_RECRUITERS,
    ("hiring.candidate_page", "POST"): THE_OPENINGS_OBJECT,
    # Candidates from another opening among those ticked are refused whole, as the candidate page would be.
    ("hiring.decide_many", "POST"): THE_OPENING,
    ("hiring.scoring_page", "GET"): THE_OPENING,
    ("hiring.assign", "POST"): THE_OPENING,
    ("hiring.auto_assign", "POST"): THE_OPENING,
    ("hiring.add_live_stages", "POST"): THE_OPENING,
    ("hiring.remind", "POST"): THE_OPENINGS_OBJECT,
    ("hiring.close_scoring", "POST"): THE_OPENING,
    ("hiring.close_scoring", "GET"): THE_OPENING,
    ("hiring.unblind", "GET"): THE_OPENING,
    ("hiring.decide_revision", "POST"): THE_OPENINGS_OBJECT,
    ("hiring.unblind", "POST"): THE_OPENING,
    # The results open to the opening's recruiters only where its hiring manager allows it (not in this world).
    ("hiring.results_page", "GET"): THE_OPENING,
    ("hiring.interviewers_page", "GET"): THE_OPENING,
    ("hiring.export", "GET"): THE_OPENING,
    ("hiring.calibration_page", "GET"): THE_OPENING,
    ("hiring.calibration_page", "POST"): THE_OPENING,
    ("hiring.reveal_calibration", "POST"): THE_OPENINGS_OBJECT,
    ("hiring.reveal_calibration", "GET"): THE_OPENINGS_OBJECT,
    ("review.index", "GET"): INTERVIEWERS,
    ("review.assignment", "GET"): THE_INTERVIEWERS_OWN,
    ("review.assignment", "POST"): THE_INTERVIEWERS_OWN,
    ("review.reopen", "POST"): THE_INTERVIEWERS_OWN,
    ("review.ai_draft_panel", "GET"): THE_INTERVIEWERS_OWN,
    ("review.request_ai_draft", "POST"): THE_INTERVIEWERS_OWN,
    ("review.calibration", "GET"): THE_INTERVIEWERS_OWN,
    ("review.calibration", "POST"): THE_INTERVIEWERS_OWN,
    ("admin.index", "GET"): ADMINS,
    ("admin.staff_page", "GET"): ADMINS,
    ("admin.invite_staff", "POST"): ADMINS,
    ("admin.change_role", "POST"): ADMINS,
    ("admin.disable_staff", "POST"): ADMINS,
    ("admin.enable_staff", "POST"): ADMINS,
    ("admin.send_password_link", "POST"): ADMINS,
    ("admin.exercise", "GET"): ADMINS,
    ("admin.audit_log", "GET"): ADMINS,
    ("admin.candidates", "GET"): ADMINS,
    ("admin.candidates", "POST"): ADMINS,
    ("admin.candidate", "GET"): ADMINS,
    ("admin.export_candidate", "GET"): ADMINS,
    ("admin.erase_candidate", "POST"): ADMINS,
    ("admin.tokens", "GET"): ADMINS,
    ("admin.create_token", "POST"): ADMINS,
    ("admin.revoke_token", "POST"): ADMINS,
    ("admin.webhooks_page", "GET"): ADMINS,
    ("admin.create_webhook", "POST"): ADMINS,
    ("admin.disable_webhook", "POST"): ADMINS,
    ("admin.ai", "GET"): ADMINS,
    ("admin.ai_off", "POST"): ADMINS,
    ("admin.ai_on", "POST"): ADMINS,
    ("admin.ai_use_page", "GET"): ADMINS,
    ("admin.ai_use_csv", "GET"): ADMINS,
    ("admin.ai_use_json", "GET"): ADMINS,
    ("api.openapi", "GET"): EVERYONE,
    ("api.list_openings", "GET"): API,
    ("api.create_invitation", "POST"): API,
    ("api.list_candidates", "GET"): API,
    ("api.get_candidate", "GET"): API,
    ("api.record_decision", "POST"): API,
    ("api.list_scorecards", "GET"): API,
    ("api.get_results", "GET"): API,
}
# Bearer-token routes: a browser cannot send the token cross-site, so they take no CSRF token.
CSRF_EXEMPT = {endpoint for endpoint, _ in EXPECTED if endpoint.startswith("api.")}

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def routes(app: Flask) -> list[tuple[str, str]]:
    return sorted(
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or set()) - IGNORED_METHODS
    )


# -- the world every visitor meets ----------------------------------------------------


@dataclass
class World:
    people: dict[str, Any]  # staff visitor -> the user signed in as them
    links: dict[str, str]  # candidate visitor -> invitation link
    ids: dict[str, Any]  # URL argument -> value, for the first opening's objects
    foreign_ids: dict[str, Any]  # the same arguments, naming the other opening's objects
    secrets: tuple[str, ...]  # what only the first opening's staff may read about candidate A


def build_world(make: Factory, session: Session, app: Flask) -> World:
    now = make.now()
    manager, other_manager = make.user(Role.HIRING_MANAGER), make.user(Role.HIRING_MANAGER)
    assigned, unassigned = make.user(Role.INTERVIEWER), make.user(Role.INTERVIEWER)
    admin = make.user(Role.ADMIN)
    co_owner, recruiter, other_recruiter = (make.user(Role.HIRING_MANAGER), make.user(Role.RECRUITER),
                                            make.user(Role.RECRUITER))
    mine, theirs = make.opening(manager), make.opening(other_manager)
    make.on_team(mine, co_owner, recruiter)
    make.on_team(theirs, other_recruiter)
    a = make.invite(mine, name="Aurelia Quist", email="aurelia.quist@example.net")
    b = make.invite(theirs, name="Bartholomew Vane", email="bart.vane@example.net")
    answers = dict(make.library.benchmarks["a-mini-prd"]["meets"].content.answers)
    config = app.config["ASSESS"]
    handed_in = {}
    for who, invited in (("a", a), ("b", b)):
        attempt = attempts.start(session, make.library, invited.candidate, "a-mini-prd", now=now)
        answering.submit(session, config, attempt, answers=answers, now=now)
        attempts.start(session, make.library, invited.candidate, "b-analytics", now=now)
        handed_in[who] = attempt
    ours = assigning.assign(session, mine, handed_in["a"].id, assigned.id, due_at=None, actor=manager, now=now)
    other = assigning.assign(session, theirs, handed_in["b"].id, unassigned.id, due_at=None, actor=other_manager,
                           now=now)
    sessions = {
        opening.id: calibration_sessions.create(session, make.library, opening, "a-mini-prd/meets",
                                                actor=opening.hiring_manager, now=now)
        for opening in (mine, theirs)
    }
    entry = next(e for e in sessions[mine.id].entries if e.interviewer_id == assigned.id)
    token, _ = api_tokens.create(session, name="ATS", scopes=["openings:read"], actor=admin, now=now)
    hook, _ = webhooks.create_endpoint(session, url="https://ats.example.com/hook", events=["scorecard.submitted"],
                                       actor=admin, now=now)
    common = {"key": "a-mini-prd", "dataset": "funnel", "kind": "scorecards", "filename": "app.css",
              "token_id": token.id, "endpoint_id": hook.id,
              "token": a.link.rsplit("/", 1)[1], "user_id": co_owner.id}
    return World(
        people={visitor: user for visitor, user in (
            (ASSIGNED, assigned), (UNASSIGNED, unassigned), (OTHER_MANAGER, other_manager), (MANAGER, manager),
            (MANAGER_FOREIGN_IDS, manager), (CO_OWNER, co_owner), (RECRUITER, recruiter),
            (OTHER_RECRUITER, other_recruiter), (ADMIN, admin))},
        links={CANDIDATE_A: a.link, CANDIDATE_B: b.link},
        ids=common | {"slug": mine.slug, "candidate_id": a.candidate.id, "assignment_id": ours.id,
                      "session_id": sessions[mine.id].id, "entry_id": entry.id},
        foreign_ids=common | {"slug": mine.slug, "candidate_id": b.candidate.id, "assignment_id": other.id,
                              "session_id": sessions[theirs.id].id, "entry_id": entry.id},
        secrets=("Aurelia Quist", "aurelia.quist@example.net"),
    )


def with_dataset_key(endpoint: str, ids: dict[str, Any]) -> dict[str, Any]:
    return ids | {"key": "b-analytics"} if endpoint == "candidate.dataset_csv" else ids


def url_for_rule(rule: Rule, ids: dict[str, Any]) -> str:
    path = rule.rule
    for argument in rule.arguments:
        path = re.sub(rf"<(?:[^:>]+:)?{argument}>", str(ids[argument]), path)
    return path


def become(client: FlaskClient, visitor: str, world: World) -> None:
    """Make client the visitor: a staff session, or a candidate's redeemed link."""
    if visitor in world.people:
        sign_in_session(client, world.people[visitor])
    elif visitor in world.links:
        response = client.get(urlsplit(world.links[visitor]).path)
        assert response.status_code == 302, f"{visitor}'s link did not open: {response.status_code}"


def classify(status: int, location: str) -> str:
    if status in (301, 302, 303, 307, 308):
        return SIGN_IN if location.startswith("/auth/login") else OK
    return {401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND}.get(status, OK if status < 500 else f"error {status}")
