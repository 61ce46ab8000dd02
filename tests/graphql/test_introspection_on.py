"""With the defaults, introspection answers (GraphQL clients and codegen rely on it)."""

from __future__ import annotations

import httpx

from tests.graphql.client import data, gql


async def test_introspection_is_on_by_default(client: httpx.AsyncClient) -> None:
    schema = data(await gql(client, "{ __schema { queryType { name } mutationType { name } } }"))
    assert schema == {
        "__schema": {"queryType": {"name": "Query"}, "mutationType": {"name": "Mutation"}}
    }
