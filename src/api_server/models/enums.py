"""Enums whose every value is described, once, beside the enum: OpenAPI shows the descriptions
as `x-enumDescriptions` (value -> text, which ReDoc renders), GraphQL on each enum value
(`graphql.derive.enum_from`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum
from types import MappingProxyType
from typing import Any, TypeVar

from pydantic import GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

__all__ = ["described_values", "value_descriptions"]

E = TypeVar("E", bound=type[Enum])

_DESCRIPTIONS: dict[type[Enum], Mapping[Any, str]] = {}


def described_values(**descriptions: str) -> Callable[[E], E]:
    """`@described_values(HOME="Where the patient lives.", ...)` on an enum: one description
    per member, by member name. A member left out or a name that is no member raises when the
    enum is defined, so a new value cannot go undescribed."""

    def wrap(enum: E) -> E:
        names = set(enum.__members__)
        if set(descriptions) != names:
            missing, unknown = sorted(names - set(descriptions)), sorted(set(descriptions) - names)
            raise ValueError(
                f"{enum.__name__}: every value needs one description "
                f"(missing: {missing or 'none'}, not members: {unknown or 'none'})"
            )
        _DESCRIPTIONS[enum] = MappingProxyType(
            {member: descriptions[member.name] for member in enum}
        )
        enum.__get_pydantic_json_schema__ = classmethod(_json_schema)  # type: ignore[attr-defined]
        return enum

    return wrap


def value_descriptions(enum: type[Enum]) -> Mapping[Any, str]:
    """Member -> description, as given to `described_values` (empty for other enums)."""
    return _DESCRIPTIONS.get(enum, MappingProxyType({}))


def _json_schema(
    enum: type[Enum], core_schema: CoreSchema, handler: GetJsonSchemaHandler
) -> JsonSchemaValue:
    reference = handler(core_schema)
    schema = handler.resolve_ref_schema(reference)
    schema["x-enumDescriptions"] = {
        member.value: text for member, text in value_descriptions(enum).items()
    }
    return reference
