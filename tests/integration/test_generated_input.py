"""Generated input on every form, query string and JSON body: nothing a browser can send is a server error.

Each route of ``app.url_map`` (the JSON API aside, which Schemathesis fuzzes from its document) is
used by a visitor the authorisation matrix lets in. The forms, links and JSON addresses are read
from the pages that visitor sees, so a new form is covered without a line here. Hypothesis then
sends each form with some fields replaced by huge or negative numbers, NUL, control, invisible and
direction-override characters, very long text or several values, or left out, with a valid CSRF
token, and JSON bodies that are nested too deep, of the wrong type or missing fields. Every answer
must be below 500, and a refusal must say what to do. Each example runs in a savepoint that is
rolled back, so every example meets the same world.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from assess.models import Draft, Role
from assess.services import api_tokens
from assess.web.candidate import forms as candidate_forms
from tests.support.factories import Factory
from tests.support.web import csrf_token
from tests.support.access import (
    ADMIN,
    ANONYMOUS,
    ASSIGNED,
    CANDIDATE_A,
    EXPECTED,
    MANAGER,
    OK,
    World,
    become,
    build_world,
    url_for_rule,
    with_dataset_key,
)

# The first of these the matrix lets in uses the route: the least privileged who may.
USERS = (ANONYMOUS, CANDIDATE_A, ASSIGNED, MANAGER, ADMIN)
# The candidate works on an exercise started but not handed in, so saves reach the service.
OPEN_EXERCISE = "b-analytics"
SETTINGS = settings(max_examples=30, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])

# -- what is on the pages ----------------------------------------------------------------------------


@dataclass
class FormSeen:
    method: str
    page: str  # where it was found, for the report
    fields: dict[str, str] = field(default_factory=dict)  # name -> a value the page itself offers


class PageReader(HTMLParser):
    """The forms of a page with their fields, the query names of its links, its data-*-url addresses."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: dict[tuple[str, str], FormSeen] = {}
        self.query_names: set[str] = set()
        self.json_urls: set[str] = set()
        self._form: FormSeen | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        for key, value in found.items():
            if key.startswith("data-") and key.endswith("-url") and value.startswith("/"):
                self.json_urls.add(urlsplit(value).path)
        if tag == "a" and "?" in found.get("href", ""):
            self.query_names |= {name for name, _ in parse_qsl(urlsplit(found["href"]).query)}
        if tag == "form":
            action = urlsplit(found.get("action") or self.page).path
            method = (found.get("method") or "get").upper()
            self._form = self.forms.setdefault((action, method), FormSeen(method, self.page))
        elif self._form is not None and "name" in found:
            fields, name = self._form.fields, found["name"]
            if tag == "input" and found.get("type") in ("checkbox", "radio"):
                fields.setdefault(name, found.get("value", "y"))
            elif tag == "input":
                fields[name] = found.get("value", "")
            elif tag == "textarea":
                fields[name], self._textarea = "", name
            elif tag == "select":
                self._select = name
            elif tag == "button" and found.get("value"):
                fields.setdefault(name, found["value"])
        elif self._form is not None and tag == "option" and self._select and found.get("value"):
            self._form.fields.setdefault(self._select, found["value"])

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


@dataclass
class Visit:
    """One visitor's signed-in browser state, and what their pages offer."""

    cookie: str | None
    csrf: str
    forms: dict[tuple[str, str], FormSeen] = field(default_factory=dict)
    query_names: set[str] = field(default_factory=set)
    json_urls: set[str] = field(default_factory=set)


# Opening a link starts a new session; the visitor reading the pages must stay who they are.
IDENTITY_CHANGING = {"candidate.start_link", "static"}
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def rule_url(app: Flask, endpoint: str, method: str, world: World) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and method in (r.methods or ()))
    ids = with_dataset_key(endpoint, world.ids)
    if endpoint.startswith("candidate."):
        ids = ids | {"key": OPEN_EXERCISE}
    return url_for_rule(rule, ids)


def routes_of(visitor: str) -> list[tuple[str, str]]:
    """The routes (the API and static files aside) that this visitor is the first in USERS allowed to use."""
    chosen = []
    for (endpoint, method), table in sorted(EXPECTED.items()):
        if endpoint.startswith("api.") or endpoint == "static":
            continue
        allowed = [v for v in USERS if table[v] == OK]
        if (allowed[0] if allowed else ANONYMOUS) == visitor:
            chosen.append((endpoint, method))
    return chosen


def visit(app: Flask, visitor: str, world: World) -> Visit:
    """Sign the visitor in, read every page they may see, and keep their session cookie."""
    client = app.test_client()
    become(client, visitor, world)
    token = ""
    seen = Visit(cookie=None, csrf="")
    pages = [rule_url(app, e, m, world) for (e, m), table in sorted(EXPECTED.items())
             if m == "GET" and table[visitor] == OK and e not in IDENTITY_CHANGING and not e.startswith("api.")]
    for page in pages:
        response = client.get(page)
        if not response.mimetype == "text/html":
            continue
        body = response.get_data(as_text=True)
        reader = PageReader(page)
        reader.feed(body)
        for key, form in reader.forms.items():
            seen.forms.setdefault(key, form).fields.update(form.fields)
        seen.query_names |= reader.query_names
        seen.json_urls |= reader.json_urls
        token = token or next(iter(CSRF_INPUT.findall(body)), "")
    if not token:  # a visitor with no form of their own still gets a token from the sign-in page
        token = CSRF_INPUT.findall(client.get("/auth/login").get_data(as_text=True))[0]
    cookie = client.get_cookie("session")
    seen.cookie, seen.csrf = (cookie.value if cookie else None), token
    return seen


# -- what is sent ------------------------------------------------------------------------------------------

INVISIBLE = "\x00\x01\x08\x0b\x1b\x7f\x85\u200b\u200c\u200d\u2060\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
NUMBERS = st.sampled_from([
    "0", "-1", "1", "2147483647", "2147483648", "-2147483649", str(2**63), str(2**63 - 1), str(2**64),
    "-" + str(2**63), "9" * 400, "1e400", "1.5", "nan", "inf", "0x10", " 7 ", "１２", "²", "",
])
TEXT = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=40),
    st.text(st.sampled_from(INVISIBLE + "ab \n\t"), min_size=1, max_size=12),
    st.builds(lambda c, s: f"Ann{c}{s}", st.sampled_from(INVISIBLE), st.text(max_size=5)),
    st.sampled_from(["x" * 300, "y" * 70_000, "Ann\n" * 2000, "<script>alert(1)</script>", "a@b", "%00", "../../"]),
)
# One of each kind of hidden character, inside a name, for the pass that puts each in every field.
EDGES = ["Ann\x00e", "Ann\x1be", "Ann\u200be", "Ann\u202ee", "Ann\u2066e", "Ann\u2028e", str(2**63),
         "-" + str(2**63), "2147483648", "x" * 100_000]
VALUES = st.one_of(NUMBERS, TEXT, st.sampled_from(EDGES))


@st.composite
def form_bodies(draw: st.DrawFn, fields: dict[str, str], extra_names: list[str]) -> list[tuple[str, str]]:
    """The form as the page offers it, mostly with one field replaced, repeated or left out, else several."""
    names = [name for name in fields if name != "csrf_token"]
    targets = set(draw(st.lists(st.sampled_from(names), min_size=1, max_size=1 if draw(st.booleans()) else 4,
                                unique=True))) if names else set()
    body: list[tuple[str, str]] = []
    for name in names:
        choice = draw(st.sampled_from(["replace", "replace", "replace", "drop", "repeat"])) if name in targets else "keep"
        if choice == "keep":
            body.append((name, fields[name]))
        elif choice == "replace":
            body.append((name, draw(VALUES)))
        elif choice == "repeat":
            body += [(name, draw(VALUES)), (name, draw(VALUES))]
    for name in draw(st.lists(st.sampled_from(extra_names or ["extra"]), max_size=2 if names else 4)):
        body.append((name, draw(VALUES)))
    return body


def edge_bodies(fields: dict[str, str]) -> list[list[tuple[str, str]]]:
    """The form as offered with one field holding one of EDGES: every field meets every kind of edge."""
    names = [name for name in fields if name != "csrf_token"]
    return [[(other, edge if other == name else fields[other]) for other in names] for name in names for edge in EDGES]


def nested(depth: int, kind: str) -> str:
    return "[" * depth + "]" * depth if kind == "list" else '{"a":' * depth + "1" + "}" * depth


JSON_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
                        st.floats(allow_nan=False), st.text(st.characters(codec="utf-8"), max_size=20),
                        st.sampled_from(INVISIBLE))
ANY_JSON = st.recursive(JSON_LEAVES, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                             st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                        max_leaves=10)


def json_models() -> list[type[BaseModel]]:
    """The JSON bodies the pages send, as their models describe them."""
    return [value for value in vars(candidate_forms).values()
            if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == candidate_forms.__name__]


def example_of(schema: dict[str, Any], defs: dict[str, Any], answer_keys: list[str]) -> Any:
    """A value the schema accepts: the smallest that is valid."""
    if "$ref" in schema:
        return example_of(defs[schema["$ref"].rsplit("/", 1)[1]], defs, answer_keys)
    kind = schema.get("type")
    if kind == "object":
        if "properties" in schema:
            return {name: example_of(sub, defs, answer_keys) for name, sub in schema["properties"].items()}
        return {key: "An answer." for key in answer_keys}
    if kind == "integer":
        return schema.get("minimum", 1)
    if kind == "string":
        return ("x" * max(schema.get("minLength", 0), 12))[: schema.get("maxLength", 12)]
    return None


def json_edges(valid: list[dict[str, Any]]) -> list[str]:
    """Each valid body with one field holding one of EDGES (or a number too large), and nesting 100,000 deep."""
    bodies = [nested(100_000, "list"), nested(100_000, "object")]
    for body in valid:
        for name, value in body.items():
            for edge in [*EDGES, 2**63, -(2**63), 2**31]:
                changed = {key: edge for key in value} if isinstance(value, dict) else edge
                bodies.append(json.dumps(body | {name: changed}))
    return bodies


@st.composite
def json_bodies(draw: st.DrawFn, valid: list[dict[str, Any]]) -> str:
    """A model's valid body with fields replaced or left out, JSON of any shape, or nesting too deep."""
    shape = draw(st.sampled_from(["mutated", "mutated", "any", "deep"]))
    if shape == "deep":
        return nested(draw(st.sampled_from([33, 1_000, 100_000])), draw(st.sampled_from(["list", "object"])))
    if shape == "any":
        return json.dumps(draw(ANY_JSON))
    body = dict(draw(st.sampled_from(valid)))
    for name in list(body):
        choice = draw(st.sampled_from(["keep", "replace", "drop", "text"]))
        if choice == "replace":
            body[name] = draw(ANY_JSON)
        elif choice == "drop":
            del body[name]
        elif choice == "text" and isinstance(body[name], dict):
            body[name] = {key: draw(TEXT) for key in body[name]}
        elif choice == "text":
            body[name] = draw(st.one_of(TEXT, st.integers(min_value=-(2**70), max_value=2**70)))
    return json.dumps(body)


# -- the check -------------------------------------------------------------------------------------------------

WORDS = re.compile(r"<p[^>]*>\s*([^<]{20,})")


def refusal_problem(response: Any) -> str | None:
    """Why an answer is not acceptable: a server error, or a refusal that does not say what to do."""
    if response.status_code >= 500:
        return f"server error {response.status_code}"
    if 400 <= response.status_code < 500:
        if response.is_json:
            message = (response.get_json(silent=True) or {}).get("message")
            return None if isinstance(message, str) and message.strip() else "a JSON refusal without a message"
        if not WORDS.search(response.get_data(as_text=True)):
            return f"a {response.status_code} page without a message"
    return None


def run_examples(app: Flask, seen: Visit, savepoint: Callable[[], Any], strategy: Any,
                 send: Callable[[FlaskClient, Any], Any], label: str, endpoint: str,
                 edges: list[Any] = ()) -> list[str]:
    """Send the edges, then every generated example, each in its own savepoint; return the shortest failure."""
    failures: list[tuple[int, str]] = []

    def example(payload: Any) -> None:
        client = app.test_client()
        if seen.cookie:
            client.set_cookie("session", seen.cookie)
        nested_transaction = savepoint()
        try:
            response = send(client, payload)
            problem = refusal_problem(response)
            response.close()
        except Exception as error:  # an error the app's own handler could not answer
            problem = f"{type(error).__name__}: {error}"[:300]
        finally:
            nested_transaction.rollback()
        if problem:
            shown = repr(payload)
            failures.append((len(shown), f"{label}: {problem} for {shown[:300]}"))

    for edge in edges:
        example(edge)
    SETTINGS(given(strategy)(example))()
    return [text for _, text in sorted(failures)[:1]]


def answer_keys(app: Flask) -> list[str]:
    content = app.extensions["assess.content"]
    return [section.key for versioned in content.exercises.values() for section in versioned.content.sections]


@pytest.mark.parametrize("visitor", USERS)
def test_no_generated_input_on_any_route_gives_a_server_error_or_a_silent_refusal(
    visitor: str, app: Flask, make: Factory, db_session: Session, savepoint: Callable[[], Any],
) -> None:
    world = build_world(make, db_session, app)
    db_session.commit()
    seen = visit(app, visitor, world)
    db_session.commit()
    names = sorted({n for form in seen.forms.values() for n in form.fields} | seen.query_names)
    models = [example_of(m.model_json_schema(), m.model_json_schema().get("$defs", {}), answer_keys(app))
              for m in json_models()]
    failures: list[str] = []
    for endpoint, method in routes_of(visitor):
        url = rule_url(app, endpoint, method, world)
        if method == "GET":
            query_names = sorted(seen.query_names | set((seen.forms.get((url, "GET")) or FormSeen("GET", url)).fields))
            failures += run_examples(
                app, seen, savepoint, form_bodies({}, query_names or ["page"]),
                lambda client, body, url=url: client.get(url + "?" + urlencode(body)), f"GET {url}", endpoint)
            continue
        form = seen.forms.get((url, "POST"))
        if form is not None:
            failures += run_examples(
                app, seen, savepoint, form_bodies(form.fields, names),
                lambda client, body, url=url: client.post(url, data=MultiDict([("csrf_token", seen.csrf), *body]),
                                                          headers={"Accept": "text/html"}),
                f"POST {url}", endpoint, edge_bodies(form.fields))
        if form is None or url in seen.json_urls:
            failures += run_examples(
                app, seen, savepoint, json_bodies(models),
                lambda client, body, url=url: client.post(url, data=body, content_type="application/json",
                                                          headers={"X-CSRFToken": seen.csrf}),
                f"POST {url} (JSON)", endpoint, json_edges(models))
    assert not failures, "\n".join(failures)


# -- the cases the walk is built around, spelled out -------------------------------------------------


@pytest.fixture
def signed_in_world(app: Flask, make: Factory, db_session: Session) -> tuple[World, FlaskClient, FlaskClient]:
    """The matrix's world, with the opening's manager and candidate A each in a browser."""
    world = build_world(make, db_session, app)
    db_session.commit()
    manager, candidate = app.test_client(), app.test_client()
    become(manager, MANAGER, world)
    become(candidate, CANDIDATE_A, world)
    return world, manager, candidate


def test_json_nested_100000_deep_is_refused_with_a_message_on_a_page_route_and_on_the_api(
    app: Flask, signed_in_world: tuple[World, FlaskClient, FlaskClient], make: Factory, db_session: Session,
) -> None:
    world, _, candidate = signed_in_world
    deep = nested(100_000, "list")
    saved = candidate.post(f"/c/exercises/{OPEN_EXERCISE}/autosave", data=deep, content_type="application/json",
                           headers={"X-CSRFToken": csrf_token(candidate, f"/c/exercises/{OPEN_EXERCISE}")})
    assert saved.status_code == 400
    assert "nested more than 32 levels" in saved.get_json()["message"]

    _, token = api_tokens.create(db_session, name="ATS", scopes=list(api_tokens.SCOPES), actor=make.user(Role.ADMIN),
                                 now=make.now())
    db_session.commit()
    api = app.test_client().post(f"/api/v1/openings/{world.ids['slug']}/invitations", data=nested(100_000, "object"),
                                 content_type="application/json", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 400
    assert "nested more than 32 levels" in api.get_json()["message"]


def test_a_save_numbered_past_a_32_bit_integer_is_refused_with_a_message(
    signed_in_world: tuple[World, FlaskClient, FlaskClient],
) -> None:
    _, _, candidate = signed_in_world
    url = f"/c/exercises/{OPEN_EXERCISE}"
    token = csrf_token(candidate, url)
    good = {"client_id": "tab-0001", "seq": 1, "base_revision": 0, "answers": {}}
    assert candidate.post(url + "/autosave", json=good, headers={"X-CSRFToken": token}).status_code == 200
    for wrong in ({"seq": 2**63}, {"seq": 2**31}, {"base_revision": 2**63}):
        refused = candidate.post(url + "/autosave", json=good | wrong, headers={"X-CSRFToken": token})
        assert refused.status_code == 400, wrong
        assert refused.get_json()["message"]


def test_nul_is_dropped_from_a_saved_answer_and_the_rest_is_kept(
    app: Flask, signed_in_world: tuple[World, FlaskClient, FlaskClient], db_session: Session,
) -> None:
    _, _, candidate = signed_in_world
    url = f"/c/exercises/{OPEN_EXERCISE}"
    key = app.extensions["assess.content"].exercise(OPEN_EXERCISE).content.sections[0].key
    body = {"client_id": "tab-0001", "seq": 1, "base_revision": 0, "answers": {key: "Churn\x00 rose\n\tin May"}}
    saved = candidate.post(url + "/autosave", json=body, headers={"X-CSRFToken": csrf_token(candidate, url)})
    assert saved.status_code == 200, saved.get_json()
    drafts = db_session.scalars(select(Draft)).all()
    assert [d.answers[key] for d in drafts] == ["Churn rose\n\tin May"]


def test_a_page_number_of_2_to_the_63_is_refused_saying_what_belongs_there(
    signed_in_world: tuple[World, FlaskClient, FlaskClient],
) -> None:
    world, manager, _ = signed_in_world
    for query in (f"page={2**63}", f"page=-{2**63}"):
        for page in ("", "/scoring", "/results"):
            answer = manager.get(f"/hiring/openings/{world.ids['slug']}{page}?{query}")
            assert answer.status_code == 400 and b"use a whole number from 1" in answer.data, (page, query)
    refused = manager.get(f"/hiring/openings/{world.ids['slug']}/results?without={2**63}")
    assert refused.status_code == 400 and b"is not an interviewer" in refused.data
    # A message number no row can have is no message: the outbox shows its first.
    assert manager.get(f"/hiring/openings/{world.ids['slug']}/outbox?message={2**64}").status_code == 200


@pytest.mark.parametrize("name,named", [("Ann\u202eenna", "U+202E RIGHT-TO-LEFT OVERRIDE"),
                                        ("Ann\x00a", "U+0000 NULL"), ("Ann\u200ba", "U+200B ZERO WIDTH SPACE")])
def test_a_candidate_name_with_a_hidden_character_is_refused_naming_it(
    name: str, named: str, signed_in_world: tuple[World, FlaskClient, FlaskClient],
) -> None:
    world, manager, _ = signed_in_world
    opening = f"/hiring/openings/{world.ids['slug']}"
    answer = manager.post(opening + "/invite", data={"csrf_token": csrf_token(manager, opening), "name": name,
                                                     "email": "new.person@example.net"}, follow_redirects=True)
    page = answer.get_data(as_text=True)
    assert f"The name contains an invisible character ({named}); remove it and try again." in page
    assert "new.person@example.net" not in page


def test_the_api_refuses_a_name_with_a_direction_override_naming_it(
    app: Flask, make: Factory, db_session: Session,
) -> None:
    opening = make.opening()
    _, token = api_tokens.create(db_session, name="ATS", scopes=["invitations:write"], actor=make.user(Role.ADMIN),
                                 now=make.now())
    db_session.commit()
    refused = app.test_client().post(f"/api/v1/openings/{opening.slug}/invitations",
                                     json={"name": "Eve\u202etxt.exe", "email": "eve@example.net"},
                                     headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 422
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in refused.get_json()["message"]


@pytest.mark.parametrize("path", ["/hiring/openings/a%00b/scoring", "/hiring/openings/%1b", "/admin/content/%00"])
def test_an_address_with_a_control_character_is_not_found(
    path: str, app: Flask, make: Factory, db_session: Session,
) -> None:
    client = app.test_client()
    become(client, ADMIN, build_world(make, db_session, app))
    assert client.get(path).status_code == 404
