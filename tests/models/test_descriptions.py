"""`descriptions_from`: a field declared again (a partial update) is described once."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field, ValidationError, field_validator

from api_server.models.api import descriptions_from


class Base(BaseModel):
    name: str = Field(min_length=1, description="What it is called.")
    size: int = Field(description="How big it is.")


@descriptions_from(Base)
class Update(BaseModel):
    name: str | None = Field(default=None, min_length=1)
    size: int | None = Field(default=None, description="Its own words win.")
    extra: int | None = None

    @field_validator("name")
    @classmethod
    def _shout(cls, value: str | None) -> str | None:
        return value.upper() if value else value


def test_fields_without_a_description_take_the_sources() -> None:
    properties = Update.model_json_schema()["properties"]
    assert properties["name"]["description"] == "What it is called."
    assert properties["size"]["description"] == "Its own words win."
    assert "description" not in properties["extra"]  # not a field of the source


def test_the_model_still_validates_as_declared() -> None:
    assert Update(name="ada").name == "ADA"
    with pytest.raises(ValidationError):
        Update(name="")
