"""A unique constraint the service did not translate answers 409 naming the field, on both
databases and both surfaces, from one mapping (`database_api_error`)."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
from fastapi import FastAPI
from graphql import GraphQLError
from sqlalchemy.exc import IntegrityError

from api_server.database import SessionDep
from api_server.database.errors import database_api_error
from api_server.domains.patients.base_model import Sex
from api_server.domains.patients.db_model import Patient
from api_server.exceptions import ResourceConflictError
from api_server.graphql.errors import classify


def _patient(code: str) -> Patient:
    return Patient(
        patient_id=code,
        first_name="A",
        last_name="B",
        date_of_birth=date(2000, 1, 1),
        sex=Sex.OTHER,
    )


@pytest.fixture
def caught(backend_app: FastAPI) -> list[IntegrityError]:
    errors: list[IntegrityError] = []

    @backend_app.post("/test-only/duplicate-code")
    async def duplicate(session: SessionDep) -> None:
        session.add(_patient("DUP-1"))
        await session.flush()
        session.add(_patient("DUP-1"))
        try:
            await session.flush()
        except IntegrityError as error:
            errors.append(error)
            raise

    return errors


async def test_rest_answers_409_naming_the_field(
    api: httpx.AsyncClient, caught: list[IntegrityError]
) -> None:
    response = await api.post("/test-only/duplicate-code")
    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["field"]) == ("CONFLICT", "patient_id")
    assert "DUP-1" not in response.text  # the value is never echoed

    # GraphQL maps the very same error the same way.
    found = classify(GraphQLError("x", original_error=caught[0], path=["createPatient"]))
    assert (found.code, found.extensions) == ("CONFLICT", {"field": "patient_id"})
    assert found.message == body["detail"]


def test_a_constraint_without_a_known_field_is_a_plain_conflict() -> None:
    error = IntegrityError("INSERT ...", {}, Exception("CHECK constraint failed: something"))
    api_error = database_api_error(error)
    assert isinstance(api_error, ResourceConflictError)
    assert api_error.extensions == {}
