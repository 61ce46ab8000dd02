"""Document limits (depth, aliases, tokens), introspection and GraphiQL switches, batching."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api_server.settings import Settings
from tests.graphql.client import PATH, data, gql

ID = "01890000-0000-7000-8000-000000000000"


@pytest.fixture
def settings(sqlite_database_url: str) -> Settings:
    return Settings(  # type: ignore[call-arg]
        database_url=sqlite_database_url, graphql_introspection=False, _env_file=None
    )


def nested(depth: int) -> str:
    """A query whose selections nest `depth` levels below its root field."""
    inner = "id"
    for level in reversed(range(depth)):  # primaryAddress { patient { primaryAddress { ... } } }
        inner = f"patient {{ {inner} }}" if level % 2 else f"primaryAddress {{ {inner} }}"
    return f'{{ patient(id: "{ID}") {{ {inner} }} }}'


def assert_rejected(body: dict[str, Any], fragment: str) -> None:
    errors = body["errors"]
    assert {error["extensions"]["code"] for error in errors} == {"GRAPHQL_VALIDATION_FAILED"}
    assert any(fragment in error["message"] for error in errors), errors
    assert "data" not in body  # refused before execution: a request error


async def test_depth_10_runs_and_depth_11_is_rejected(client: httpx.AsyncClient) -> None:
    assert data(await gql(client, nested(9))) == {"patient": None}  # depth 10
    assert_rejected(await gql(client, nested(10)), "exceeds maximum operation depth of 10")


def aliases(n: int) -> str:
    return " ".join(f"a{i}: __typename" for i in range(n))


async def test_aliases_are_limited_directly_and_through_fragments(
    client: httpx.AsyncClient,
) -> None:
    assert len(data(await gql(client, f"{{ {aliases(100)} }}"))) == 100
    assert_rejected(await gql(client, f"{{ {aliases(1000)} }}"), "1000 aliases found")
    split = (
        "{ ...A ...B } "
        f"fragment A on Query {{ {aliases(500)} }} "
        f"fragment B on Query {{ {' '.join(f'b{i}: __typename' for i in range(500))} }}"
    )
    assert_rejected(await gql(client, split), "1000 aliases found")


async def test_token_limit(client: httpx.AsyncClient) -> None:
    huge = "{ " + "__typename " * 6000 + "}"
    body = await gql(client, huge)
    assert_rejected(body, "more than 5000 tokens")


async def test_introspection_can_be_turned_off(client: httpx.AsyncClient) -> None:
    assert_rejected(await gql(client, "{ __schema { types { name } } }"), "introspection")
    assert_rejected(await gql(client, '{ __type(name: "Patient") { name } }'), "introspection")
    assert data(await gql(client, "{ __typename }")) == {"__typename": "Query"}


async def test_batched_requests_are_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(PATH, json=[{"query": "{ __typename }"}] * 2)
    assert response.status_code == 400
    assert "Batching is not enabled" in response.text


async def test_graphiql_is_off_by_default_and_the_404_names_the_setting(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(PATH, headers={"Accept": "text/html"})  # a browser
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"  # GraphQL's, as any refusal
    assert "API_SERVER_GRAPHIQL" in response.json()["errors"][0]["message"]
    assert "unpkg" not in response.text
    api_client = await client.get(PATH, headers={"Accept": "application/json"})
    assert api_client.status_code == 400
    error = api_client.json()["errors"][0]
    assert error["message"] == "No GraphQL query found in the request"


async def test_queries_work_over_get_but_mutations_do_not(client: httpx.AsyncClient) -> None:
    response = await client.get(PATH, params={"query": "{ __typename }"})
    assert response.json() == {"data": {"__typename": "Query"}}
    mutation = f'mutation {{ deletePatient(id: "{ID}") }}'
    assert (await client.get(PATH, params={"query": mutation})).status_code == 400


@pytest.mark.parametrize(
    "document",
    [
        "{ patinets { edges { cursor } } }",  # a field
        "{ patients(fist: 1) { edges { cursor } } }",  # an argument
        '{ patient(id: "x") { firstNam } }',  # a field of a type
        'mutation { createPatient(input: {firstNam: "a", lastName: "b", '
        'dateOfBirth: "2000-01-01", sex: MALE}) { id } }',  # an input field
    ],
)
async def test_no_suggestions_while_introspection_is_off(
    client: httpx.AsyncClient, document: str
) -> None:
    body = await gql(client, document)
    message = body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "Did you mean" not in message, message


async def test_suggestions_help_while_introspection_is_on(app_client: Any) -> None:
    async with app_client(graphql_introspection=True) as http:
        body = await gql(http, "{ patinets { edges { cursor } } }")
    assert "Did you mean 'patients'" in body["errors"][0]["message"]


def fragment_bomb(levels: int) -> str:
    """Each fragment spreads the next twice: 2**levels paths through a 1 KiB document."""
    fragments = " ".join(
        f"fragment F{i} on Patient {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    return (
        f'{{ patient(id: "{ID}") {{ ...F0 }} }} {fragments} fragment F{levels} on Patient {{ id }}'
    )


async def test_a_fragment_bomb_is_measured_once_per_fragment(client: httpx.AsyncClient) -> None:
    # 2**26 paths: walked spread by spread this took hours; measured once per fragment it is
    # an ordinary small document (and answers: there is no such patient).
    assert data(await gql(client, fragment_bomb(26))) == {"patient": None}


async def test_fragment_definitions_and_spreads_are_capped(client: httpx.AsyncClient) -> None:
    many = " ".join(f"fragment F{i} on Query {{ __typename }}" for i in range(51))
    spreads = " ".join(f"...F{i}" for i in range(51))
    assert_rejected(await gql(client, f"{{ {spreads} }} {many}"), "51 fragments defined")
    wide = "{ " + "...F " * 201 + "} fragment F on Query { __typename }"
    assert_rejected(await gql(client, wide), "201 fragment spreads found")


def nested_through_a_fragment(depth: int) -> str:
    """`nested(depth)`, its selections inside a fragment."""
    inner = "id"
    for level in reversed(range(depth)):
        inner = f"patient {{ {inner} }}" if level % 2 else f"primaryAddress {{ {inner} }}"
    return f'{{ patient(id: "{ID}") {{ ...P }} }} fragment P on Patient {{ {inner} }}'


async def test_depth_through_fragments_is_the_depth_of_the_fields(
    client: httpx.AsyncClient,
) -> None:
    assert data(await gql(client, nested_through_a_fragment(9))) == {"patient": None}
    rejected = await gql(client, nested_through_a_fragment(10))
    assert_rejected(rejected, "exceeds maximum operation depth of 10")
