"""The static query cost: how it prices documents, and QUERY_TOO_COMPLEX over the limit."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from graphql import parse

from api_server.domains import DOMAINS
from api_server.graphql import cost
from api_server.graphql.cost import PriceList, operation_cost
from api_server.graphql.schema import build_schema
from api_server.settings import Settings
from tests.graphql.client import data, gql, only_error
from tests.graphql.test_limits import fragment_bomb

ID = "01890000-0000-7000-8000-000000000000"


@pytest.fixture(scope="module")
def price() -> Any:
    schema = build_schema(Settings(_env_file=None), DOMAINS)._schema  # type: ignore[call-arg]

    def cost(
        document: str, variables: dict[str, Any] | None = None, name: str | None = None
    ) -> int:
        return operation_cost(
            schema, parse(document), operation_name=name, variables=variables, unbounded=100
        )

    return cost


def test_fields_count_once_and_lists_of_objects_by_their_page(price: Any) -> None:
    # patient 1 x (1 + id + firstName + conditions: a list of scalars is one value)
    assert price(f'{{ patient(id: "{ID}") {{ id firstName conditions }} }}') == 4
    # patients(first: 5): 1 + edges 5 x (1 + cursor + node (1 + id)) = 1 + 5 x 4
    assert price("{ patients(first: 5) { edges { cursor node { id } } } }") == 21
    # 2 patients x (node + addresses(first: 3): 1 + nodes 3 x (1 + city))
    nested = "{ patients(first: 2) { nodes { addresses(first: 3) { nodes { city } } } } }"
    assert price(nested) == 1 + 2 * (1 + (1 + 3 * 2))
    # no `first`: the argument's default page (20)
    assert price("{ patients { nodes { id } } }") == 1 + 20 * 2


def test_page_sizes_come_from_variables_and_their_defaults(price: Any) -> None:
    query = "query($n: Int) { patients(first: $n) { nodes { id } } }"
    assert price(query, {"n": 3}) == 7
    assert price(query, {}) == 41  # an absent variable: the argument's default, 20
    with_default = "query($n: Int = 4) { patients(first: $n) { nodes { id } } }"
    assert price(with_default) == 9
    assert price(with_default, {"n": 2}) == 5
    # out of range: priced as the largest page; the resolver then refuses it, naming `first`
    assert price(query, {"n": 1_000_000}) == 201
    assert price(query, {"n": "many"}) == 201


def test_fragments_are_priced_as_the_executor_runs_them(price: Any) -> None:
    # 2**26 paths, but the executor collects each fragment once per selection set: it
    # resolves `patient { id }`, and so does the price (computed once per fragment).
    assert price(fragment_bomb(26)) == 2
    spread_in_a_page = (
        "{ patients(first: 4) { ...C } } fragment C on PatientConnection { nodes { id } }"
    )
    assert price(spread_in_a_page) == 1 + 4 * 2
    inline = '{ patient(id: "x") { ... on Patient { id firstName } } }'
    assert price(inline) == 3


def test_the_named_operation_is_priced(price: Any) -> None:
    document = (
        'query Small { patient(id: "x") { id } } query Big { patients(first: 50) { nodes { id } } }'
    )
    assert price(document, name="Small") == 2
    assert price(document, name="Big") == 101
    assert price(document) == 101  # no name: the dearest (execution refuses it anyway)


def fan_out(levels: int) -> str:
    """The issue's query: each level lists a patient's addresses, then their patient."""
    inner = "id"
    for _ in range(levels):
        inner = f"addresses {{ nodes {{ id patient {{ {inner} }} }} }}"
    return f'{{ patient(id: "{ID}") {{ {inner} }} }}'


async def test_a_fan_out_query_is_refused_before_it_runs(client: httpx.AsyncClient) -> None:
    body = await gql(client, fan_out(3))  # 20 x 20 x 20 addresses a patient could hold
    error = only_error(body)
    assert "data" not in body  # refused before execution: a request error
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert error["extensions"]["cost"] > error["extensions"]["max_cost"] == 25_000
    assert "first" in error["message"]
    assert data(await gql(client, fan_out(2))) == {"patient": None}  # 20 x 20: allowed


async def test_a_largest_page_with_addresses_is_allowed(client: httpx.AsyncClient) -> None:
    query = """{ patients(first: 100) { edges { cursor node {
        id patientId firstName lastName dateOfBirth sex conditions allergies primaryAddressId
        createdAt updatedAt version primaryAddress { id city }
        addresses { nodes { id type street city postalCode country version createdAt } }
    } } pageInfo { hasNextPage endCursor } } }"""
    assert data(await gql(client, query))["patients"]["edges"] == []


async def test_the_limit_is_a_setting(app_client: Any) -> None:
    async with app_client(graphql_max_cost=10) as http:
        assert data(await gql(http, "{ patients(first: 4) { nodes { id } } }"))  # 9
        error = only_error(await gql(http, "{ patients(first: 5) { nodes { id } } }"))  # 11
        assert error["extensions"] == {
            "code": "QUERY_TOO_COMPLEX",
            "cost": 11,
            "max_cost": 10,
            "request_id": error["extensions"]["request_id"],
        }


def test_a_price_list_remembers_prices_by_the_page_variables_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    schema = build_schema(Settings(_env_file=None), DOMAINS)._schema  # type: ignore[call-arg]
    text = (
        "query($n: Int, $id: ID!) { patients(first: $n) { nodes { id } } patient(id: $id) { id } }"
    )
    document = parse(text)
    priced: list[dict[str, Any]] = []

    def counted(*args: Any, variables: Any, **kwargs: Any) -> int:
        priced.append(variables)
        return operation_cost(*args, variables=variables, **kwargs)

    monkeypatch.setattr(cost, "operation_cost", counted)
    prices = PriceList(document)
    # Equal values of other types (1, True, 1.0) and null vs absent price differently.
    cases: list[dict[str, Any]] = [
        {"n": 3, "id": ID}, {"n": 3, "id": "other"}, {"n": 1}, {"n": True}, {"n": 1.0},
        {"n": None}, {}, {"n": [1]}, {"n": [1]}, {"n": 1},
    ]  # fmt: skip
    for variables in cases:
        expected = operation_cost(
            schema, document, operation_name=None, variables=variables, unbounded=100
        )
        assert prices.price(schema, operation_name=None, variables=variables, unbounded=100) == (
            expected
        ), variables
    # Priced once per page size; `id` does not change it; a list cannot be a key.
    assert priced == [cases[0], *cases[2:9]]


def test_a_price_list_keeps_the_most_recently_used_prices(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    schema = build_schema(Settings(_env_file=None), DOMAINS)._schema  # type: ignore[call-arg]
    prices = PriceList(parse("query($n: Int) { patients(first: $n) { nodes { id } } }"), maxsize=3)
    priced: list[int] = []

    def counted(*args: Any, variables: Any, **kwargs: Any) -> int:
        priced.append(variables["n"])
        return operation_cost(*args, variables=variables, **kwargs)

    monkeypatch.setattr(cost, "operation_cost", counted)
    for n in [20, *range(1, 50), 20]:  # 20, used often, stays; the junk passes through
        if n % 2:
            prices.price(schema, operation_name=None, variables={"n": 20}, unbounded=100)
        assert prices.price(schema, operation_name=None, variables={"n": n}, unbounded=100) == (
            1 + n * 2
        )
    assert len(prices._known) == 3
    assert priced.count(20) == 1
