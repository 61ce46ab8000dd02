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


def test_a_null_in_a_partial_update_is_an_error_at_that_field() -> None:
    # Not at the model (loc ()): a client must be able to tell which field to leave out.
    with pytest.raises(ValidationError) as refused:
        NoteUpdate.model_validate({"text": None, "tags": None, "version": 1})
    assert [(e["loc"], e["type"], e["msg"]) for e in refused.value.errors()] == [
        (("text",), "null_not_allowed", "may be omitted but not null"),
        (("tags",), "null_not_allowed", "may be omitted but not null"),
    ]
    # A required field keeps its own error; a field left out is no error at all.
    with pytest.raises(ValidationError) as refused:
        NoteUpdate.model_validate({"version": None})
    assert [(e["loc"], e["type"]) for e in refused.value.errors()] == [(("version",), "int_type")]
    assert NoteUpdate.model_validate({"version": 1}).model_fields_set == {"version"}
