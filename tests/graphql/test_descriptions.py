"""GraphQL and OpenAPI describe the same things with the same words: both take them from the
models (field descriptions, docstrings) and the enums' value descriptions."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLObjectType, GraphQLSchema

from api_server.domains import DOMAINS
from api_server.field_errors import camel
from api_server.graphql import build_schema
from api_server.settings import Settings


@pytest.fixture(scope="module")
def graphql_schema() -> GraphQLSchema:
    settings = Settings(database_url="sqlite:///unused.db", _env_file=None)  # type: ignore[call-arg]
    return build_schema(settings, DOMAINS)._schema


@pytest.fixture
def openapi_schemas(app: FastAPI) -> dict[str, Any]:
    schemas: dict[str, Any] = app.openapi()["components"]["schemas"]
    return schemas


@pytest.mark.parametrize(
    ("graphql_type", "openapi_schema"),
    [
        ("Patient", "PatientRead"),
        ("Address", "AddressRead"),
        ("PatientCreateInput", "PatientCreate"),
        ("PatientUpdateInput", "PatientUpdate"),
        ("AddressCreateInput", "AddressCreate"),
        ("AddressUpdateInput", "AddressUpdate"),
    ],
)
def test_a_type_and_its_fields_are_described_as_in_openapi(
    graphql_schema: GraphQLSchema,
    openapi_schemas: dict[str, Any],
    graphql_type: str,
    openapi_schema: str,
) -> None:
    named = graphql_schema.type_map[graphql_type]
    assert isinstance(named, GraphQLObjectType | GraphQLInputObjectType)
    documented = openapi_schemas[openapi_schema]
    assert named.description == documented["description"]
    for name, field in documented["properties"].items():
        assert field.get("description"), f"{openapi_schema}.{name} has no description"
        assert named.fields[camel(name)].description == field["description"], name


@pytest.mark.parametrize("enum", ["Sex", "AddressType"])
def test_each_enum_value_is_described_as_in_openapi(
    graphql_schema: GraphQLSchema, openapi_schemas: dict[str, Any], enum: str
) -> None:
    named = graphql_schema.type_map[enum]
    assert isinstance(named, GraphQLEnumType)
    documented = openapi_schemas[enum]
    assert named.description == documented["description"]
    by_value = {value.value: value.description for value in named.values.values()}
    assert by_value == documented["x-enumDescriptions"]
    assert set(by_value) == set(documented["enum"])
