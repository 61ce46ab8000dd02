"""Building blocks of API models that every resource uses: strict inputs, partial updates,
the version a client read, and the page of a list."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Generic, Self, TypeVar
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

T = TypeVar("T")
B = TypeVar("B", bound=type[BaseModel])

__all__ = [
    "MAX_INT4",
    "CreatedAt",
    "InputModel",
    "Page",
    "PartialUpdate",
    "ReadModel",
    "RecordId",
    "RecordVersion",
    "TEXT_PATTERN",
    "Text",
    "UpdatedAt",
    "Version",
    "check_text",
    "descriptions_from",
]

MAX_INT4 = 2**31 - 1  # the largest INTEGER column value
# C0 control characters but tab, line feed and carriage return, DEL, and lone UTF-16
# surrogates (valid JSON escapes, not text: no database can store them). PostgreSQL cannot
# store NUL at all; the rest are never part of a name, code or address. Escapes, not the
# characters, so the same text is a Python and an ECMA-262 (JSON Schema) character class.
_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
_SURROGATES = r"\ud800-\udfff"
_CONTROL_CHARACTERS = re.compile(f"[{_CONTROLS}{_SURROGATES}]")
CONTROL_CHARACTERS_MESSAGE = "must not contain control characters or lone surrogates"
# The rule as a JSON Schema `pattern`, in the OpenAPI document of every input string. Lone
# surrogates are left out: they are no Unicode characters, so most regex engines (the Rust one
# of JSON Schema validators among them) cannot name them, and most clients cannot send them.
TEXT_PATTERN = f"^[^{_CONTROLS}]*$"


def check_text(value: str) -> str:
    """`value` unchanged; ValueError when it holds a control character (NUL above all)."""
    if _CONTROL_CHARACTERS.search(value):
        raise ValueError(CONTROL_CHARACTERS_MESSAGE)
    return value


# A string parameter (a query string, a GraphQL argument) held to the same rule as bodies.
Text = Annotated[str, AfterValidator(check_text)]
Version = Annotated[int, Field(ge=1, le=MAX_INT4, description="The version the client last read.")]


def _document_text_rule(schema: dict[str, Any]) -> None:
    """Give each plain string field (or list entry) the `TEXT_PATTERN` the validator below
    enforces, so the OpenAPI document does not promise that any string is accepted. A field
    with a pattern, format or enum of its own is left alone: those already exclude them."""
    for field in schema.get("properties", {}).values():
        for branch in field.get("anyOf", [field]):
            node = branch.get("items", {}) if branch.get("type") == "array" else branch
            if node.get("type") == "string" and not {"pattern", "format", "enum"} & set(node):
                node["pattern"] = TEXT_PATTERN


class InputModel(BaseModel):
    """What a client sends: unknown fields are refused, strings are trimmed, and no string
    (nor string in a list) may hold a control character: 422 naming the field."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, json_schema_extra=_document_text_rule
    )

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        if isinstance(value, str):
            check_text(value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, str):
                    check_text(item)
        return value


def _document_no_nulls(schema: dict[str, Any]) -> None:
    """A partial update's fields are optional (`T | None = None`) but never null: the
    document says `T`, without pydantic's `null` branch and `null` default."""
    _document_text_rule(schema)
    for field in schema.get("properties", {}).values():
        if "default" in field and field["default"] is None:
            del field["default"]
        branches = [branch for branch in field.get("anyOf", ()) if branch != {"type": "null"}]
        if len(branches) == 1:
            del field["anyOf"]
            field.update(branches[0])
        elif branches:
            field["anyOf"] = branches


NULL_NOT_ALLOWED = "may be omitted but not null"


class PartialUpdate(InputModel):
    """Fields left out stay unchanged; sending `null` for one is a `null_not_allowed` error
    located at that field (`["body", "first_name"]`), as the document (no `null`) says."""

    model_config = ConfigDict(json_schema_extra=_document_no_nulls)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nulls(cls, value: Any, info: ValidationInfo) -> Any:
        # A field validator, not a model one: its error names the field. Only the optional
        # fields: a required one (`version`) refuses null with its own type error.
        field = cls.model_fields.get(info.field_name or "")
        if value is None and field is not None and field.default is None:
            raise PydanticCustomError("null_not_allowed", NULL_NOT_ALLOWED)
        return value


_pydantic_model_validate = BaseModel.__dict__["model_validate"].__func__


class ReadModel(BaseModel):
    """What a client receives; built from table rows or from selected columns.

    A read model that inherits a SQLModel base layer would get SQLModel's `__init__` and
    `model_validate`, both Python code around pydantic's validator; these are pydantic's own
    again (a read model is never a table).
    """

    model_config = ConfigDict(from_attributes=True)
    __init__ = BaseModel.__init__

    @classmethod
    def model_validate(cls, obj: Any, **options: Any) -> Self:
        validated: Self = _pydantic_model_validate(cls, obj, **options)
        return validated


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at end.")


# The fields every stored resource's read model has, described once for every resource.
RecordId = Annotated[
    UUID, Field(description="Identifier given by the server (a UUIDv7: ids sort by creation).")
]
CreatedAt = Annotated[
    datetime, Field(description="When the record was created: RFC 3339, UTC (`Z`).")
]
UpdatedAt = Annotated[
    datetime, Field(description="When the record last changed: RFC 3339, UTC (`Z`).")
]
RecordVersion = Annotated[
    int,
    Field(
        description="Incremented by every change; a change that names an older version is "
        "refused (optimistic locking)."
    ),
]


def descriptions_from(source: type[BaseModel]) -> Callable[[B], B]:
    """`@descriptions_from(PatientBase)` on a model that declares some of `source`'s fields
    again (a partial update): each such field without a description of its own gets the
    source field's, so a field is described once for every model and both APIs."""

    def wrap(model: B) -> B:
        target: type[BaseModel] = model
        described = False
        for name, field in target.model_fields.items():
            original = source.model_fields.get(name)
            if field.description is None and original is not None and original.description:
                field.description = original.description
                described = True
        if described:
            target.model_rebuild(force=True)  # the JSON schema is built from the rebuilt fields
        return model

    return wrap
