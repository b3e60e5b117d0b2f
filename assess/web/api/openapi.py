"""The OpenAPI 3.0 document of /api/v1, built from the operations declared in routes.py and the JSON
Schemas of the models in schemas.py, never written by hand. Tests check that it names exactly the
API's routes and that real answers match its schemas; Schemathesis fuzzes the API from it."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from flask import Response, current_app, jsonify
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from ...services.api_tokens import SCOPES
from ..errors import Error
from ..forms import LARGEST_INT
from . import bp
from .routes import OPERATIONS
from .spec import ALWAYS, REFUSALS, Operation

REF = "#/components/schemas/{model}"
PREFIX = "/api/v1"
PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "slug": {"schema": {"type": "string", "maxLength": 80}, "description": "The opening's address name, e.g. apm-growth."},
    "candidate_id": {"schema": {"type": "integer", "minimum": 0, "maximum": LARGEST_INT}},
}
_RULE_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


def openapi_30(schema: Any) -> Any:
    """A JSON Schema as pydantic writes it (2020-12) in the dialect of OpenAPI 3.0: nullable for
    `X | None`, items with bounds for fixed-length tuples."""
    if isinstance(schema, list):
        return [openapi_30(part) for part in schema]
    if not isinstance(schema, dict):
        return schema
    converted = {key: openapi_30(value) for key, value in schema.items()}
    choices = converted.get("anyOf")
    if choices and {"type": "null"} in choices:
        rest = [choice for choice in choices if choice != {"type": "null"}]
        del converted["anyOf"]
        only = rest[0] if len(rest) == 1 else {"anyOf": rest}
        converted |= ({"allOf": [only]} if "$ref" in only else only) | {"nullable": True}
    if "prefixItems" in converted:
        parts = converted.pop("prefixItems")
        converted["items"] = parts[0] if all(part == parts[0] for part in parts) else {"anyOf": parts}
    if "const" in converted:
        converted["enum"] = [converted.pop("const")]
    return converted


def _path(operation: Operation) -> str:
    return PREFIX + _RULE_PARAMETER.sub(r"{\1}", operation.rule)


@cache
def _schemas() -> tuple[dict[tuple[type[BaseModel], JsonSchemaMode], Any], dict[str, Any]]:
    """The reference to each model (answers as dumped, bodies as read) and every schema by name."""
    wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = [(Error, "serialization")]
    for operation in OPERATIONS:
        wanted.append((operation.answer, "serialization"))
        if operation.body is not None:
            wanted.append((operation.body, "validation"))
    refs, top = models_json_schema(wanted, ref_template=REF)
    return dict(refs), {name: openapi_30(schema) for name, schema in sorted(top.get("$defs", {}).items())}


def _ref(model: type[BaseModel], mode: JsonSchemaMode = "serialization") -> dict[str, Any]:
    return _schemas()[0][(model, mode)]  # type: ignore[no-any-return]


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _parameters(operation: Operation) -> list[dict[str, Any]]:
    found = [{"name": name, "in": "path", "required": True, **PATH_PARAMETERS[name]}
             for name in _RULE_PARAMETER.findall(operation.rule)]
    if operation.query is not None:
        properties = operation.query.model_json_schema()["properties"]
        found += [{"name": name, "in": "query",
                   "schema": openapi_30({k: v for k, v in schema.items() if k != "title"})}
                  for name, schema in properties.items()]
    return found


def _operation(operation: Operation) -> dict[str, Any]:
    described: dict[str, Any] = {
        "operationId": operation.operation_id, "summary": operation.summary,
        "description": f"Needs the `{operation.scope}` scope.", "security": [{"bearerAuth": []}],
        "parameters": _parameters(operation),
        "responses": {str(operation.status): _json(_ref(operation.answer), operation.answered)}
        | {str(code): _json(_ref(Error), REFUSALS[code]) for code in (*ALWAYS, *operation.refusals)},
    }
    if operation.body is not None:
        described["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(operation.body, "validation")}}}
    return described


def document(base_url: str) -> dict[str, Any]:
    """The whole OpenAPI document, with the server this installation answers on."""
    paths: dict[str, dict[str, Any]] = {}
    for operation in OPERATIONS:
        paths.setdefault(_path(operation), {})[operation.method.lower()] = _operation(operation)
    return {
        "openapi": "3.0.3",
        "info": {"title": "assess API", "version": "1.0.0",
                 "description": "For applicant-tracking systems: openings, invitations, candidates' progress, "
                                "scorecards and calibrated results. Every call needs a bearer token that an admin "
                                "creates with the scopes it may use: " + ", ".join(SCOPES) + "."},
        "servers": [{"url": base_url.rstrip("/")}],
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "A token beginning ast_, from Admin, API tokens."}},
            "schemas": _schemas()[1],
        },
        "security": [{"bearerAuth": []}],
        "paths": paths,
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(document(current_app.config["ASSESS"].base_url))
