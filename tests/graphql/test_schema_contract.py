"""The printed schema is what generated clients get: every part described, Relay connections,
custom scalars that name their specification. Each test names what breaks the rule."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    build_schema,
    get_named_type,
    is_non_null_type,
    is_specified_scalar_type,
)

from api_server.domains import DOMAINS
from api_server.graphql import build_schema as build_api_schema
from api_server.settings import Settings


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    """The schema of every registered domain, as its printed SDL reads back."""
    settings = Settings(database_url="sqlite:///unused.db", _env_file=None)  # type: ignore[call-arg]
    return build_schema(build_api_schema(settings, DOMAINS).as_str())


def _own_types(schema: GraphQLSchema) -> Iterator[GraphQLNamedType]:
    for name, named in sorted(schema.type_map.items()):
        if not name.startswith("__") and not is_specified_scalar_type(named):
            yield named


def undescribed(schema: GraphQLSchema) -> list[str]:
    """Every type, field, argument and enum value of `schema` without a description."""
    missing: list[str] = []
    for named in _own_types(schema):
        if not named.description:
            missing.append(named.name)
        if isinstance(named, GraphQLEnumType):
            missing += [f"{named.name}.{v}" for v, d in named.values.items() if not d.description]
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in named.fields.items():
                if not field.description:
                    missing.append(f"{named.name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{named.name}.{field_name}({arg_name}:)")
    return missing


def test_every_type_field_argument_and_enum_value_is_described(schema: GraphQLSchema) -> None:
    missing = undescribed(schema)
    if missing:
        pytest.fail(f"{len(missing)} parts of the schema have no description: {', '.join(missing)}")


def test_the_check_names_what_lacks_a_description() -> None:
    bare = build_schema('"""Q"""\ntype Query { """a"""\na(x: Int): Sex b: Int }\nenum Sex { F }')
    assert undescribed(bare) == ["Query.a(x:)", "Query.b", "Sex", "Sex.F"]


def _type_of(owner: GraphQLObjectType, field: str) -> str:
    return str(owner.fields[field].type)


def test_connections_have_the_relay_fields(schema: GraphQLSchema) -> None:
    connections = [t for t in _own_types(schema) if t.name.endswith("Connection")]
    assert connections, "no connection types: the check checks nothing"
    page_info = schema.type_map["PageInfo"]
    assert isinstance(page_info, GraphQLObjectType)
    assert {name: _type_of(page_info, name) for name in page_info.fields} == {
        "hasNextPage": "Boolean!",
        "hasPreviousPage": "Boolean!",
        "startCursor": "String",
        "endCursor": "String",
    }
    for connection in connections:
        assert isinstance(connection, GraphQLObjectType)
        node = connection.name.removesuffix("Connection")
        edge = schema.type_map[f"{node}Edge"]
        assert isinstance(edge, GraphQLObjectType)
        assert _type_of(connection, "edges") == f"[{node}Edge!]!", connection.name
        assert _type_of(connection, "pageInfo") == "PageInfo!", connection.name
        assert _type_of(edge, "cursor") == "String!", edge.name
        assert _type_of(edge, "node") == f"{node}!", edge.name


def test_connection_fields_take_first_and_after(schema: GraphQLSchema) -> None:
    for named in _own_types(schema):
        if not isinstance(named, GraphQLObjectType):
            continue
        for name, field in named.fields.items():
            if get_named_type(field.type).name.endswith("Connection"):
                assert is_non_null_type(field.type), f"{named.name}.{name}"
                arguments = {arg: str(value.type) for arg, value in field.args.items()}
                assert {"first": "Int", "after": "String"}.items() <= arguments.items()


def test_custom_scalars_name_their_specification(schema: GraphQLSchema) -> None:
    scalars = [t for t in _own_types(schema) if isinstance(t, GraphQLScalarType)]
    assert {scalar.name for scalar in scalars} >= {"Date", "DateTime"}
    unspecified = [scalar.name for scalar in scalars if not scalar.specified_by_url]
    assert unspecified == [], f"custom scalars without specifiedByURL: {unspecified}"
    assert {scalar.specified_by_url for scalar in scalars} == {
        "https://datatracker.ietf.org/doc/html/rfc3339"
    }


def test_names_are_converted_once_each_and_as_strawberry_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from strawberry.schema import name_converter

    from api_server.graphql.schema import _NameConverter

    converted: list[str] = []
    camel = name_converter.to_camel_case

    def counted(name: str) -> str:
        converted.append(name)
        return camel(name)

    monkeypatch.setattr(name_converter, "to_camel_case", counted)
    names = _NameConverter()
    for _ in range(3):
        assert names.apply_naming_config("date_of_birth") == "dateOfBirth"
        assert names.apply_naming_config("id") == "id"
    assert converted == ["date_of_birth", "id"]
    monkeypatch.setattr(_NameConverter, "MAX_NAMES", 1)
    bounded = _NameConverter()
    for name in ("a_b", "c_d", "c_d"):
        bounded.apply_naming_config(name)
    assert len(bounded._names) == 1
