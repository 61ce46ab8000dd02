"""`GraphQLContext.read()` / `write()` over the database `operation_database` binds: a query's
read connection reads (and takes the ORM when a resolver opens a session on it), but cannot
be written through."""

from __future__ import annotations

from uuid import UUID

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api_server.database.connection import borrow_db_read_connection
from api_server.domains.patients.db_model import Patient
from api_server.graphql.context import GraphQLContext
from api_server.services.registry import ServiceRegistry
from tests.domains.patients.factories import V1, patient_body


async def test_a_query_reads_through_its_connection_and_cannot_write(
    client: httpx.AsyncClient,
) -> None:
    created = (await client.post(f"{V1}/patients", json=patient_body())).json()
    context = GraphQLContext(ServiceRegistry())
    async with borrow_db_read_connection() as connection:
        context.bind_database(connection)
        async with context.read() as source:
            assert source is connection
            # The ORM on the query's own connection, for a resolver that needs it.
            async with AsyncSession(bind=connection) as session:
                patient = await session.get(Patient, UUID(created["id"]))
            assert patient is not None and patient.first_name == created["first_name"]
        with pytest.raises(RuntimeError, match="outside a mutation"):
            async with context.write():
                pass
        context.bind_database(None)
    with pytest.raises(RuntimeError, match="no database"):
        async with context.read():
            pass
