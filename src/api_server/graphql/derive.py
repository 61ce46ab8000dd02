"""GraphQL types, inputs and enums derived from the API models: a field is declared once, in
the pydantic model, and appears in GraphQL with the same name (camelCase), type and
description; a type's description is its model's docstring, as in OpenAPI.

- `type_from_model(Read)` decorates a class of resolvers: the model's fields are added in
  front of them. Resolvers may return the read model itself (fields resolve by attribute).
- `input_from_model(Create)` builds an input: required fields stay required; every optional
  one defaults to UNSET, so a field left out stays out and the model applies its own default
  (or, in a partial update, leaves the stored value alone). `inputs.validated()` then runs
  the model's validation, so GraphQL and REST accept exactly the same values.

- `enum_from(Enum)` registers a domain enum: its docstring and each value's description
  (`models.enums.described_values`) are the GraphQL ones.
- `described_argument(Model, field)` gives an argument the description of a model's field.

UUIDs become `ID`; nested models become the inputs given in `nested`.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin
from uuid import UUID

import strawberry
from pydantic import BaseModel
from strawberry.types.arguments import StrawberryArgumentAnnotation
from strawberry.types.enum import StrawberryEnumDefinition

from api_server.models.enums import value_descriptions

__all__ = ["described_argument", "enum_from", "input_from_model", "type_from_model"]

C = TypeVar("C", bound=type)
E = TypeVar("E", bound=type[Enum])


def _docstring(cls: type) -> str | None:
    # The class's own docstring, as pydantic's JSON schema takes it (never an inherited one).
    own = cls.__dict__.get("__doc__")
    return inspect.cleandoc(own) if own else None


def _graphql_annotation(annotation: Any, nested: Mapping[type, type]) -> Any:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _graphql_annotation(get_args(annotation)[0], nested)
    if origin in (Union, types.UnionType):
        members = [_graphql_annotation(arg, nested) for arg in get_args(annotation)]
        result = members[0]
        for member in members[1:]:
            result = result | member
        return result
    if origin is list:
        return list[_graphql_annotation(get_args(annotation)[0], nested)]  # type: ignore[misc]
    if annotation is UUID:
        return strawberry.ID
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        try:
            return nested[annotation]
        except KeyError:
            raise TypeError(f"no GraphQL input given for nested {annotation.__name__}") from None
    return annotation


def _fields(
    model: type[BaseModel], nested: Mapping[type, type], *, optional_unset: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    annotations: dict[str, Any] = {}
    defaults: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        annotation = _graphql_annotation(info.annotation, nested)
        if optional_unset and not info.is_required():
            annotations[name] = annotation | None
            defaults[name] = strawberry.field(
                default=strawberry.UNSET, description=info.description
            )
        else:
            annotations[name] = annotation
            if info.description:
                defaults[name] = strawberry.field(description=info.description)
    return annotations, defaults


def type_from_model(
    model: type[BaseModel], *, name: str, description: str | None = None
) -> Callable[[C], C]:
    """`@type_from_model(PatientRead, name="Patient")` on a class holding the type's resolvers."""

    def wrap(cls: C) -> C:
        annotations, defaults = _fields(model, {}, optional_unset=False)
        own = dict(cls.__dict__.get("__annotations__", {}))
        for field_name, value in defaults.items():
            if field_name not in cls.__dict__:
                setattr(cls, field_name, value)
        cls.__annotations__ = {**annotations, **own}
        return strawberry.type(cls, name=name, description=description or _docstring(model))

    return wrap


def input_from_model(
    model: type[BaseModel],
    *,
    name: str,
    description: str | None = None,
    nested: Mapping[type, type] | None = None,
) -> type:
    """A Strawberry input with the fields of `model` (see the module's docstring)."""
    annotations, defaults = _fields(model, nested or {}, optional_unset=True)
    namespace: dict[str, Any] = {
        "__annotations__": annotations,
        "__module__": model.__module__,
        **defaults,
    }
    cls = type(name, (), namespace)
    return strawberry.input(cls, name=name, description=description or _docstring(model))


def enum_from(enum: E) -> E:
    """Register `enum` as a GraphQL enum (values by member name: `FEMALE`), described by its
    docstring, each value by `models.enums.value_descriptions`."""
    strawberry.enum(enum, description=_docstring(enum))
    definition: StrawberryEnumDefinition = enum.__strawberry_definition__  # type: ignore[attr-defined]
    descriptions = value_descriptions(enum)
    for value in definition.values:
        value.description = descriptions.get(enum[value.name])
    return enum


def described_argument(model: type[BaseModel], field: str) -> StrawberryArgumentAnnotation:
    """`Annotated[T, described_argument(Model, "field")]`: an argument that stands for a
    model's field, described as that field is."""
    return strawberry.argument(description=model.model_fields[field].description)
