"""The one shape of a field error, for REST and GraphQL alike: `{"loc", "msg", "type"}`.

Only location, message and type: pydantic's `input` and `ctx` (which can quote the submitted
value) are never echoed back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from api_server.exceptions import ValidationFailedError

__all__ = ["camel", "field_errors", "invalid_input"]


def camel(name: str | int) -> str | int:
    """GraphQL's name for a snake_case field (`first_name` -> `firstName`)."""
    if isinstance(name, int):
        return name
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def field_errors(
    errors: Iterable[Mapping[str, Any]], *, prefix: Sequence[str | int] = (), graphql: bool = False
) -> list[dict[str, Any]]:
    """pydantic's errors as field errors; `graphql=True` names fields in camelCase."""
    return [
        {
            "loc": [*prefix, *((camel(p) if graphql else p) for p in error.get("loc", ()))],
            "msg": str(error.get("msg", "")),
            "type": str(error["type"]),
        }
        for error in errors
    ]


def invalid_input(errors: list[dict[str, Any]], *, what: str) -> ValidationFailedError:
    """The 422 VALIDATION_ERROR listing `errors`; its detail names the fields, not the values."""
    fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in errors)
    return ValidationFailedError(
        f"invalid {what}: {fields}" if fields else f"invalid {what}",
        extensions={"errors": errors},
    )
