"""Reading the served OpenAPI document in tests: which operation a request is, what the
document says it answers, and whether a response is one of those."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema_rs
from starlette.routing import compile_path

__all__ = ["Operation", "assert_documented", "minimal_instance", "operations"]


class Operation:
    """One operation of `document`: its method, path template and OpenAPI object."""

    def __init__(self, document: dict[str, Any], method: str, path: str) -> None:
        self.document = document
        self.method = method
        self.path = path
        self.spec: dict[str, Any] = document["paths"][path][method]
        self.id: str = self.spec["operationId"]

    def __repr__(self) -> str:
        return f"{self.method.upper()} {self.path} ({self.id})"

    def response(self, status: int) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self.spec["responses"].get(str(status))
        return found

    def matches(self, method: str, path: str) -> bool:
        regex, _, _ = compile_path(self.path)
        return method.lower() == self.method and regex.match(path) is not None


def operations(document: dict[str, Any]) -> Iterator[Operation]:
    for path, item in document["paths"].items():
        for method in item:
            yield Operation(document, method, path)


def _schema_errors(document: dict[str, Any], schema: dict[str, Any], value: Any) -> list[str]:
    # `#/components/...` references resolve against the root: give the schema the document's.
    rooted = {**schema, "components": document["components"]}
    validator = jsonschema_rs.validator_for(rooted)
    return [error.message for error in validator.iter_errors(value)]


def assert_documented(operation: Operation, response: httpx.Response) -> None:
    """`response` is one `operation` documents: its status, its media type, a body valid
    against that media type's schema, and every header the document says is required."""
    documented = operation.response(response.status_code)
    assert documented is not None, f"{operation} answered an undocumented {response.status_code}"
    media_type = response.headers.get("content-type", "").split(";")[0]
    content = documented.get("content", {})
    if response.status_code != 204:
        assert media_type in content, (operation, response.status_code, media_type, list(content))
        schema = content[media_type].get("schema", {})
        errors = _schema_errors(operation.document, schema, response.json())
        assert not errors, (operation, response.status_code, errors, response.json())
    for name, header in documented.get("headers", {}).items():
        if header.get("required"):
            assert name in response.headers, (operation, response.status_code, name)


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rpartition("/")[2]]
    return schema


def minimal_instance(document: dict[str, Any], schema: dict[str, Any]) -> Any:
    """The smallest value `schema` accepts, built from the document alone: required members
    only, the first enum value or non-null branch, the shortest string, the least integer.
    Enough for the schemas of this API's request bodies (no patterns it does not meet)."""
    schema = _resolve(document, schema)
    branches = [b for b in schema.get("anyOf", schema.get("oneOf", [])) if b != {"type": "null"}]
    if branches:
        return minimal_instance(document, branches[0])
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        return {name: minimal_instance(document, properties[name]) for name in schema["required"]}
    if kind == "array":
        return []
    if kind == "integer":
        return max(schema.get("minimum", 1), 1)
    if kind == "string":
        formats = {"date": "2000-01-01", "uuid": "00000000-0000-7000-8000-000000000001"}
        return formats.get(schema.get("format", ""), "x" * max(schema.get("minLength", 1), 1))
    raise AssertionError(f"a schema minimal_instance() does not know: {schema}")
