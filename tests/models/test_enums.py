"""Every value of a described enum has its description, in the JSON schema too."""

from __future__ import annotations

from enum import StrEnum

import pytest
from pydantic import BaseModel

from api_server.models.enums import described_values, value_descriptions


@described_values(RED="The colour of blood.", BLUE="The colour of the sky.")
class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


class Paint(BaseModel):
    colour: Colour


def test_each_value_has_its_description() -> None:
    assert value_descriptions(Colour) == {
        Colour.RED: "The colour of blood.",
        Colour.BLUE: "The colour of the sky.",
    }


def test_the_json_schema_lists_the_descriptions_by_value() -> None:
    colour = Paint.model_json_schema()["$defs"]["Colour"]
    assert colour["enum"] == ["red", "blue"]
    assert colour["x-enumDescriptions"] == {
        "red": "The colour of blood.",
        "blue": "The colour of the sky.",
    }
    assert Paint.model_validate({"colour": "red"}).colour is Colour.RED


def test_a_value_left_undescribed_is_refused_where_the_enum_is_defined() -> None:
    with pytest.raises(ValueError, match=r"missing: \['BLUE', 'GREEN'\], not members: \['BLU'\]"):

        @described_values(RED="Red.", BLU="Typo.")
        class Broken(StrEnum):
            RED = "red"
            BLUE = "blue"
            GREEN = "green"


def test_an_enum_without_descriptions_has_none() -> None:
    class Plain(StrEnum):
        A = "a"

    assert value_descriptions(Plain) == {}
