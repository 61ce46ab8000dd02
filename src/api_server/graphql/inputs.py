"""GraphQL inputs validated by the REST API models: one set of validation rules.

A GraphQL input is turned into a plain dict (fields left out stay out, so partial updates and
"may be omitted but not null" behave as in REST) and validated by the pydantic model.
Failures become `ValidationFailedError` with the REST field-error shape, paths in GraphQL's
camelCase, never the submitted values.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any, TypeVar
from uuid import UUID

import strawberry
from pydantic import BaseModel, ValidationError

from api_server.field_errors import field_errors, invalid_input
from api_server.models.api import check_text

M = TypeVar("M", bound=BaseModel)

__all__ = ["parse_id", "text_argument", "validated"]


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):  # a strawberry input
        return {
            f.name: _plain(getattr(value, f.name))
            for f in fields(value)
            if getattr(value, f.name) is not strawberry.UNSET
        }
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def validated(model: type[M], value: Any, *, path: str = "input", **extra: Any) -> M:
    """`value` (a GraphQL input) validated by `model`; raises ValidationFailedError."""
    try:
        return model.model_validate({**_plain(value), **extra})
    except ValidationError as error:
        errors = error.errors(include_input=False, include_url=False)
        raise invalid_input(
            field_errors(errors, prefix=[path], graphql=True), what="input"
        ) from None


def text_argument(value: str | None, argument: str) -> str | None:
    """A string argument held to the rule of every input string (no control characters);
    otherwise a VALIDATION_ERROR naming the argument."""
    if value is None:
        return None
    try:
        return check_text(value)
    except ValueError as error:
        raise invalid_input(
            [{"loc": [argument], "msg": str(error), "type": "value_error"}], what="input"
        ) from None


def parse_id(value: str, argument: str) -> UUID:
    """A UUID argument; anything else is a VALIDATION_ERROR naming the argument."""
    try:
        return UUID(value)
    except ValueError:
        error = {"loc": [argument], "msg": "Input should be a valid UUID", "type": "uuid_parsing"}
        raise invalid_input([error], what="input") from None
