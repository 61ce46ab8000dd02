"""Input models document the rules they enforce: a client (or schemathesis) sending what the
OpenAPI document allows is not refused for a control character or a null it was offered."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import Field, ValidationError

from api_server.models.api import TEXT_PATTERN, InputModel, PartialUpdate, Version, check_text


class Note(InputModel):
    text: str = Field(min_length=1)
    tags: list[str] = []
    code: str = Field(default="A", pattern=r"^[A-Z]+$")
    kind: str | None = None


class NoteUpdate(PartialUpdate):
    text: str | None = Field(default=None, min_length=1)
    tags: list[str] | None = None
    version: Version


@given(st.text())  # no lone surrogates: the pattern cannot name them (see TEXT_PATTERN)
def test_the_documented_pattern_is_the_rule_check_text_enforces(value: str) -> None:
    try:
        check_text(value)
        accepted = True
    except ValueError:
        accepted = False
    assert (re.fullmatch(TEXT_PATTERN, value) is not None) == accepted


def test_every_plain_string_of_an_input_model_documents_the_rule() -> None:
    properties = Note.model_json_schema()["properties"]
    assert properties["text"]["pattern"] == TEXT_PATTERN
    assert properties["tags"]["items"]["pattern"] == TEXT_PATTERN
    assert properties["code"]["pattern"] == r"^[A-Z]+$"  # its own, stricter one is kept
    assert properties["kind"]["anyOf"] == [
        {"type": "string", "pattern": TEXT_PATTERN},
        {"type": "null"},
    ]
    with pytest.raises(ValidationError):
        Note(text="a\x00b")


def test_a_partial_update_documents_its_fields_without_null() -> None:
    properties = NoteUpdate.model_json_schema()["properties"]
    assert properties["text"] == {
        "type": "string",
        "minLength": 1,
        "pattern": TEXT_PATTERN,
        "title": "Text",
    }
    assert properties["tags"]["type"] == "array"
    assert "anyOf" not in properties["tags"]
    with pytest.raises(ValidationError, match="may be omitted but not null"):
        NoteUpdate.model_validate({"text": None, "version": 1})
