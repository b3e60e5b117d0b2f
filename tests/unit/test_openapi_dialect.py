"""Pydantic writes JSON Schema 2020-12; the API's document speaks OpenAPI 3.0's dialect of it."""

from assess.web.api.openapi import openapi_30


def test_an_optional_value_becomes_nullable() -> None:
    assert openapi_30({"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}], "title": "At"}) == {
        "type": "string", "format": "date-time", "nullable": True, "title": "At"}
    assert openapi_30({"anyOf": [{"$ref": "#/components/schemas/X"}, {"type": "null"}]}) == {
        "allOf": [{"$ref": "#/components/schemas/X"}], "nullable": True}


def test_nested_schemas_are_converted_too() -> None:
    ratings = {"type": "object", "additionalProperties": {"anyOf": [{"type": "integer"}, {"type": "null"}]}}
    assert openapi_30(ratings)["additionalProperties"] == {"type": "integer", "nullable": True}


def test_a_fixed_length_tuple_becomes_bounded_items() -> None:
    pair = {"type": "array", "minItems": 2, "maxItems": 2, "prefixItems": [{"type": "number"}, {"type": "number"}]}
    assert openapi_30(pair) == {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "number"}}
    assert openapi_30({"const": "x"}) == {"enum": ["x"]}
