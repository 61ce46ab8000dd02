"""No N+1: the statements a nested list query runs do not grow with the number of rows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from api_server.database.connection import get_engine
from tests.domains.patients.graphql_documents import create_address, create_patient
from tests.graphql.client import data, gql

NESTED = """{ patients(first: 50) { edges { node {
  addresses { nodes { city } } primaryAddress { city }
} } } }"""
SET_PRIMARY = "mutation($p: ID!, $a: ID) { setPrimaryAddress(patientId: $p, addressId: $a) { id } }"


@pytest.fixture
def statements(api: httpx.AsyncClient) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # The request's statements; the outbox relay works beside it on its own tables.
        if "patients" in statement or "addresses" in statement:
            seen.append(statement)

    engine = get_engine().sync_engine
    event.listen(engine, "before_cursor_execute", count)
    yield seen
    event.remove(engine, "before_cursor_execute", count)


async def _add_patients(api: httpx.AsyncClient, n: int) -> None:
    for _ in range(n):
        patient = await create_patient(api)
        home = await create_address(api, patient["id"], city="Home")
        await create_address(api, patient["id"], city="Work")
        data(await gql(api, SET_PRIMARY, {"p": patient["id"], "a": home["id"]}))


async def _run_counted(api: httpx.AsyncClient, statements: list[str]) -> tuple[int, list[Any]]:
    statements.clear()
    edges = data(await gql(api, NESTED))["patients"]["edges"]
    return len(statements), edges


async def test_nested_addresses_cost_the_same_for_5_and_50_patients(
    api: httpx.AsyncClient, statements: list[str]
) -> None:
    await _add_patients(api, 5)
    few, edges = await _run_counted(api, statements)
    assert len(edges) == 5

    await _add_patients(api, 45)
    many, edges = await _run_counted(api, statements)
    assert len(edges) == 50
    assert all(
        [a["city"] for a in e["node"]["addresses"]["nodes"]] == ["Home", "Work"]
        and e["node"]["primaryAddress"] == {"city": "Home"}
        for e in edges
    )
    assert few == many, statements
    # patients, addresses of all patients, primary addresses by id
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 3, selects
