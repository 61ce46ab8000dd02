"""Typed problems: a `Problem` subclass for each `code` that carries members of its own
(`expected_version`, `errors`, `required_scope`, ...), and which of them each status answers.

The OpenAPI document (`openapi.py`) describes each as `allOf: [Problem, its own members]` and
a status answered by several (409: VERSION_CONFLICT or CONFLICT) as a `oneOf` discriminated by
`code`, so generated clients parse a 409 into `VersionConflictProblem` with its versions typed.
Every member is sent by the error that has the code (`exceptions.py`, `auth/errors.py`);
tests/test_problem_types.py renders each error and validates it against its model.
"""

from __future__ import annotations

import inspect
from typing import Any, Literal, get_args

from pydantic import BaseModel, Field

from api_server.problem import Problem

__all__ = [
    "PROBLEM_TYPES",
    "ConflictProblem",
    "FieldError",
    "ForbiddenProblem",
    "NotFoundProblem",
    "PreconditionFailedProblem",
    "ValidationProblem",
    "VersionConflictProblem",
    "problem_components",
    "problem_schema",
]

_REF = "#/components/schemas/{model}"


class FieldError(BaseModel):
    """One refused input: where, why, and pydantic's error type; never the value sent."""

    loc: list[str | int] = Field(
        description='Where: ["body", "first_name"], ["query", "limit"], ["body", "addresses", 0]'
    )
    msg: str = Field(description="Why, for people.")
    type: str = Field(description="Machine-readable: missing, string_too_long, null_not_allowed")


class NotFoundProblem(Problem):
    """404 NOT_FOUND. `resource` and `key` name what is missing, when it is a resource of
    the API (not a path nothing serves)."""

    code: Literal["NOT_FOUND"]
    resource: str | None = Field(default=None, description="The kind: patient, address, ...")
    key: str | None = Field(default=None, description="The id (or other key) that was asked for.")


class VersionConflictProblem(Problem):
    """409 VERSION_CONFLICT: the request named a version older than the stored one. Read the
    resource again (its `version`) and repeat the change if it still applies."""

    code: Literal["VERSION_CONFLICT"]
    expected_version: int = Field(description="The version the request named.")
    current_version: int = Field(description="The version stored now.")


class ConflictProblem(Problem):
    """409 CONFLICT: the change would break a uniqueness rule (or another constraint)."""

    code: Literal["CONFLICT"]
    field: str | None = Field(
        default=None, description="The field(s) whose value is taken, when the rule is one."
    )


class PreconditionFailedProblem(Problem):
    """412 PRECONDITION_FAILED: the `If-Match` header names no current ETag."""

    code: Literal["PRECONDITION_FAILED"]
    current_etag: str = Field(description='The current ETag, e.g. "v3".')


class ValidationProblem(Problem):
    """422 VALIDATION_ERROR: the request was refused as it is. `errors` names each refused
    input (empty when no single one is to blame)."""

    code: Literal["VALIDATION_ERROR"]
    errors: list[FieldError] = Field(description="Each refused input; never the value sent.")
    field: str | None = Field(default=None, description="The field a business rule refused.")


class ForbiddenProblem(Problem):
    """403 FORBIDDEN: the credential is valid but lacks the scope the operation needs."""

    code: Literal["FORBIDDEN"]
    required_scope: str = Field(description="The scope the operation needs, e.g. patients:write")


# The typed problems a status can answer; any other status answers the plain `Problem`.
PROBLEM_TYPES: dict[int, tuple[type[Problem], ...]] = {
    403: (ForbiddenProblem,),
    404: (NotFoundProblem,),
    409: (VersionConflictProblem, ConflictProblem),
    412: (PreconditionFailedProblem,),
    422: (ValidationProblem,),
}


def _code(model: type[Problem]) -> str:
    (code,) = get_args(model.model_fields["code"].annotation)  # Literal["..."]
    return str(code)


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": _REF.format(model=model.__name__)}


def _own_members(model: type[Problem]) -> dict[str, Any]:
    """The members `model` adds to (or narrows in) `Problem`, as JSON Schema: optional
    members may be left out but are never null; `code` is a one-value enum (generators
    merge an enum with Problem's string `code`; most cannot merge a `const`)."""
    schema = model.model_json_schema(ref_template=_REF)
    properties: dict[str, Any] = {}
    for name, member in schema["properties"].items():
        if name in Problem.model_fields and name != "code":
            continue
        member.pop("title", None)
        member.pop("default", None)
        member.pop("const", None)
        branches = [branch for branch in member.pop("anyOf", ()) if branch != {"type": "null"}]
        if branches:
            member.update(branches[0])
        properties[name] = member
    properties["code"] = {"type": "string", "enum": [_code(model)]}
    required = [name for name in schema.get("required", ()) if name in properties]
    return {"type": "object", "required": required, "properties": properties}


def problem_components() -> dict[str, Any]:
    """The component schemas: `Problem`, each typed problem as `allOf` it, `FieldError`."""
    base = Problem.model_json_schema(ref_template=_REF)
    components: dict[str, Any] = {"Problem": base, "FieldError": FieldError.model_json_schema()}
    for models in PROBLEM_TYPES.values():
        for model in models:
            components[model.__name__] = {
                "title": model.__name__,
                "description": inspect.cleandoc(model.__doc__ or ""),
                "allOf": [_ref(Problem), _own_members(model)],
            }
    return components


def problem_schema(status: int) -> dict[str, Any]:
    """The schema of a `status` problem response: a typed problem, a `oneOf` of them
    discriminated by `code`, or `Problem`."""
    models = PROBLEM_TYPES.get(status, (Problem,))
    if len(models) == 1:
        return _ref(models[0])
    return {
        "oneOf": [_ref(model) for model in models],
        "discriminator": {
            "propertyName": "code",
            "mapping": {_code(model): _ref(model)["$ref"] for model in models},
        },
    }
