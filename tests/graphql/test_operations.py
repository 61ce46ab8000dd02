"""Which operation runs (GraphQL's GetOperation): the named one, or the only one. A document
with several operations and no `operationName` is refused, never its first one run."""

from __future__ import annotations

import httpx
import pytest
from graphql import parse

from api_server.graphql.operations import operation_error
from tests.domains.patients.graphql_documents import patient_input
from tests.graphql.client import PATH, data, gql, only_error

CREATE_AND_LIST = (
    "mutation Create($input: PatientCreateInput!) { createPatient(input: $input) { id } }"
    " query List { patients { nodes { id } } }"
)


@pytest.mark.parametrize(
    ("document", "name", "message"),
    [
        ("{ a }", None, None),
        ("query A { a }", "A", None),
        ("query A { a } query B { a }", "B", None),
        ("query A { a } query B { a }", None, "Must provide operation name"),
        ("query A { a }", "B", 'Unknown operation named "B".'),
        ("{ a }", "A", 'Unknown operation named "A".'),  # an anonymous one has no name
        ("fragment F on Query { a }", None, "Must provide an operation."),
    ],
)
def test_the_operation_is_the_named_one_or_the_only_one(
    document: str, name: str | None, message: str | None
) -> None:
    error = operation_error(parse(document), name)
    if message is None:
        assert error is None
    else:
        assert error is not None and message in error.message


async def test_two_operations_without_an_operation_name_are_refused_not_the_first_run(
    client: httpx.AsyncClient,
) -> None:
    variables = {"input": patient_input()}
    body = await gql(client, CREATE_AND_LIST, variables)
    error = only_error(body)
    assert error["message"] == (
        "Must provide operation name if query contains multiple operations."
    )
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert data(await gql(client, "{ patients { nodes { id } } }")) == {"patients": {"nodes": []}}


async def test_the_named_operation_of_several_runs(client: httpx.AsyncClient) -> None:
    request = {"query": CREATE_AND_LIST, "operationName": "List"}
    response = await client.post(PATH, json={**request, "variables": {}})
    assert response.json() == {"data": {"patients": {"nodes": []}}}
    created = await client.post(
        PATH, json={**request, "operationName": "Create", "variables": {"input": patient_input()}}
    )
    assert created.json()["data"]["createPatient"]["id"]
