"""The answer's JSON Schema and its pydantic model accept the same documents, and the schema fits strict mode."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from assess.ai.drafting import json_in, parse_answer
from assess.ai.schema import SCHEMA_NAME, answer_model, json_schema, response_format, to_draft_answer

KEYS = st.lists(st.from_regex(r"[a-z][a-z_]{0,12}", fullmatch=True), min_size=1, max_size=5, unique=True).map(tuple)
# Values a lenient parser would coerce ("3" to 3, 1 to True) sit beside arbitrary JSON.
COERCIBLE = st.sampled_from([0, 1, 3, "1", "3", "true", "yes", 3.0, 3.5, 6, True, False, None, [], {}])
JSON = st.recursive(
    COERCIBLE | st.booleans() | st.integers(-3, 8) | st.floats(-3, 8, allow_nan=False) | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=4), inner, max_size=2),
    max_leaves=4,
)


def valid_answer(keys: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    dimension = st.fixed_dictionaries({
        "score": st.integers(1, 5) | st.sampled_from([1.0, 5.0]),
        "evidence": st.lists(st.text(max_size=6), max_size=2),
        "rationale": st.text(max_size=6),
    })
    return st.fixed_dictionaries({
        "dimensions": st.fixed_dictionaries({key: dimension for key in keys}),
        "strengths": st.lists(st.text(max_size=6), max_size=2),
        "gaps": st.lists(st.text(max_size=6), max_size=2),
        "feedback": st.text(max_size=6),
        "instructions_detected": st.booleans(),
    })


def _paths(document: Any, where: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [where]
    if isinstance(document, dict):
        for key, value in document.items():
            found += _paths(value, (*where, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += _paths(value, (*where, index))
    return found


@st.composite
def near_answers(draw: st.DrawFn) -> tuple[tuple[str, ...], Any]:
    """A valid answer for some dimensions, often spoiled in one place: a value replaced, a key dropped or added."""
    keys = draw(KEYS)
    document = draw(valid_answer(keys))
    change = draw(st.sampled_from(["none", "replace", "replace", "replace", "drop", "add"]))
    if change == "none":
        return keys, document
    path = draw(st.sampled_from(_paths(document)))
    spoiled = copy.deepcopy(document)
    parent: Any = spoiled
    for step in path[:-1]:
        parent = parent[step]
    if not path:
        return keys, draw(JSON)
    if change == "replace":
        parent[path[-1]] = draw(JSON)
    elif change == "drop" and isinstance(parent, dict):
        del parent[path[-1]]
    elif change == "add" and isinstance(parent, dict):
        parent[draw(st.text(max_size=4))] = draw(JSON)
    return keys, spoiled


def accepted_by_model(keys: tuple[str, ...], document: Any) -> bool:
    try:
        answer_model(keys).model_validate(document)
    except ValidationError:
        return False
    return True


@settings(max_examples=400, deadline=None)
@given(near_answers())
def test_the_schema_and_the_model_accept_the_same_answers(case: tuple[tuple[str, ...], Any]) -> None:
    keys, document = case
    schema = json_schema(keys)
    assert jsonschema.Draft202012Validator(schema).is_valid(document) == accepted_by_model(keys, document)


@settings(max_examples=100, deadline=None)
@given(KEYS.flatmap(lambda keys: st.tuples(st.just(keys), valid_answer(keys))))
def test_every_valid_answer_reads_as_one_item_per_dimension_in_the_scorecards_order(
    case: tuple[tuple[str, ...], dict[str, Any]],
) -> None:
    keys, document = case
    answer = to_draft_answer(answer_model(keys).model_validate(document), keys)
    assert [d.dimension for d in answer.dimensions] == list(keys)
    assert [d.score for d in answer.dimensions] == [int(document["dimensions"][k]["score"]) for k in keys]


def _objects(node: Any) -> list[dict[str, Any]]:
    found = []
    if isinstance(node, dict):
        if node.get("type") == "object":
            found.append(node)
        for value in node.values():
            found += _objects(value)
    elif isinstance(node, list):
        for value in node:
            found += _objects(value)
    return found


def test_the_schema_fits_strict_mode_every_property_required_and_no_other() -> None:
    keys = ("problem_framing", "communication", "model_config")  # a key that is also a pydantic word
    sent = response_format(keys)
    assert sent["type"] == "json_schema"
    assert (sent["json_schema"]["name"], sent["json_schema"]["strict"]) == (SCHEMA_NAME, True)
    schema = sent["json_schema"]["schema"]
    objects = _objects(schema)
    assert len(objects) == 3  # the answer, its dimensions, one dimension
    for node in objects:
        assert node["additionalProperties"] is False
        assert sorted(node["required"]) == sorted(node["properties"])
    assert schema["$defs"]["Dimensions"]["required"] == list(keys)
    score = schema["$defs"]["DimensionAnswer"]["properties"]["score"]
    assert (score["type"], score["minimum"], score["maximum"]) == ("integer", 1, 5)


@pytest.mark.parametrize("reply", [
    '{"a": 1}',
    'Here is the draft:\n```json\n{"a": 1}\n```\nHope it helps {really}.',
    'Sure {not json} then {"a": 1} and after',
    '```\n{"a": 1}\n```',
])
def test_the_json_is_found_alone_fenced_or_among_words(reply: str) -> None:
    assert json_in(reply) == {"a": 1}


def test_a_reply_without_json_or_a_missing_dimension_is_explained() -> None:
    with pytest.raises(ValueError, match="held no JSON object"):
        parse_answer("I cannot help with that.", ("a",))
    with pytest.raises(ValueError, match=r"at dimensions\.b: Field required"):
        parse_answer('{"dimensions": {"a": {"score": 3, "evidence": [], "rationale": "r"}}, "strengths": [], '
                     '"gaps": [], "feedback": "", "instructions_detected": false}', ("a", "b"))
