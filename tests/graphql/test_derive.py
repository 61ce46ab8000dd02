"""GraphQL types and inputs derived from the API models cannot drift from them."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import httpx
import pytest
import strawberry
from pydantic import BaseModel

from api_server.domains.patients.api_model import (
    AddressRead,
    PatientCreate,
    PatientRead,
    PatientUpdate,
)
from api_server.domains.patients.graphql import types as gql_types
from api_server.field_errors import camel
from api_server.graphql.derive import input_from_model, type_from_model
from tests.domains.patients.graphql_documents import create_patient
from tests.graphql.client import gql, only_error

RESOLVED = {"Patient": {"addresses", "primaryAddress"}, "Address": {"patient"}}


def _graphql_fields(type_: Any) -> set[str]:
    definition = type_.__strawberry_definition__
    return {field.graphql_name or camel(field.python_name) for field in definition.fields}


def _model_fields(model: type[BaseModel]) -> set[str]:
    return {str(camel(name)) for name in model.model_fields}


@pytest.mark.parametrize(
    ("graphql_type", "model"),
    [
        (gql_types.Patient, PatientRead),
        (gql_types.Address, AddressRead),
        (gql_types.PatientCreateInput, PatientCreate),
        (gql_types.PatientUpdateInput, PatientUpdate),
    ],
)
def test_graphql_fields_are_the_models_fields(graphql_type: Any, model: type[BaseModel]) -> None:
    name = graphql_type.__strawberry_definition__.name
    assert _graphql_fields(graphql_type) == _model_fields(model) | RESOLVED.get(name, set())


def test_optional_input_fields_default_to_not_sent() -> None:
    update = gql_types.PatientUpdateInput(version=3)  # type: ignore[call-arg]
    sent = {f.name for f in fields(update) if getattr(update, f.name) is not strawberry.UNSET}
    assert sent == {"version"}


def test_a_nested_model_without_an_input_is_refused() -> None:
    with pytest.raises(TypeError, match="no GraphQL input given for nested AddressInput"):
        input_from_model(PatientCreate, name="Broken")


class Small(BaseModel):
    a: int


@type_from_model(Small, name="Small")
class SmallType:
    @strawberry.field
    def doubled(self, root: Small) -> int:
        return root.a * 2


@strawberry.type
class SmallQuery:
    @strawberry.field
    def small(self) -> SmallType:
        return Small(a=21)  # type: ignore[return-value]


def test_a_resolver_defined_on_the_type_is_kept() -> None:
    result = strawberry.Schema(query=SmallQuery).execute_sync("{ small { a doubled } }")
    assert result.errors is None
    assert result.data == {"small": {"a": 21, "doubled": 42}}


UPDATE = """
mutation($id: ID!, $input: PatientUpdateInput!) {
  updatePatient(id: $id, input: $input) { firstName lastName version }
}
"""


async def test_an_omitted_field_is_kept_and_a_null_one_refused(api: httpx.AsyncClient) -> None:
    patient = await create_patient(api, firstName="Ada", lastName="Lovelace")
    changes: dict[str, Any] = {"version": 1, "lastName": "King"}
    changed = await gql(api, UPDATE, {"id": patient["id"], "input": changes})
    expected = {"firstName": "Ada", "lastName": "King", "version": 2}
    assert changed["data"]["updatePatient"] == expected
    nulled: dict[str, Any] = {"version": 2, "firstName": None}
    error = only_error(await gql(api, UPDATE, {"id": patient["id"], "input": nulled}))
    assert error["extensions"]["code"] == "VALIDATION_ERROR"
    # The shared model refuses the null at the field (REST: ["body", "first_name"]).
    assert error["message"] == "invalid input: input.firstName"
    assert error["extensions"]["errors"][0]["loc"] == ["input", "firstName"]
