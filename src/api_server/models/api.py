"""Building blocks of API models that every resource uses: strict inputs, partial updates,
the version a client read, and the page of a list."""

from __future__ import annotations

from typing import Annotated, Any, Generic, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

T = TypeVar("T")

__all__ = ["InputModel", "Page", "PartialUpdate", "ReadModel", "Version"]

Version = Annotated[int, Field(ge=1, description="The version the client last read.")]


class InputModel(BaseModel):
    """What a client sends: unknown fields are refused, strings are trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PartialUpdate(InputModel):
    """Fields left out stay unchanged; sending `null` for a required field is an error."""

    @model_validator(mode="after")
    def _no_nulls(self) -> Self:
        nulls = sorted(name for name in self.model_fields_set if getattr(self, name) is None)
        if nulls:
            raise ValueError(f"{', '.join(nulls)} may be omitted but not null")
        return self


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
