"""Every error leaves the server as an RFC 9457 problem with a stable code."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict

from api_server.exceptions import (
    DatabaseUnavailableError,
    ResourceNotFoundError,
    VersionConflictError,
)

SECRET = "sk_live_0123456789abcdef"


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    age: int


@pytest.fixture
def error_app(app: FastAPI) -> FastAPI:
    @app.get("/boom/not-found")
    async def not_found() -> None:
        raise ResourceNotFoundError("patient", "p-1")

    @app.get("/boom/conflict")
    async def conflict() -> None:
        raise VersionConflictError("patient", "p-1", expected=1, current=3)

    @app.get("/boom/db")
    async def db_down() -> None:
        raise DatabaseUnavailableError("the database is unavailable", retry_after=2)

    @app.get("/boom/bug")
    async def bug() -> None:
        raise RuntimeError("SELECT * FROM secret_table via asyncpg")

    @app.post("/boom/body")
    async def body(payload: Body) -> Body:
        return payload

    return app


@pytest.fixture
async def error_client(error_app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=error_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        yield http


def _assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "status", "detail", "instance", "code", "request_id"} <= set(body)
    assert body["status"] == status
    assert body["code"] == code
    return body


async def test_not_found(error_client: httpx.AsyncClient) -> None:
    body = _assert_problem(await error_client.get("/boom/not-found"), 404, "NOT_FOUND")
    assert body["instance"] == "/boom/not-found"
    assert body["type"] == "/problems/not-found"


async def test_version_conflict_names_both_versions(error_client: httpx.AsyncClient) -> None:
    body = _assert_problem(await error_client.get("/boom/conflict"), 409, "VERSION_CONFLICT")
    assert (body["expected_version"], body["current_version"]) == (1, 3)


async def test_database_unavailable_is_503_with_retry_after(
    error_client: httpx.AsyncClient,
) -> None:
    response = await error_client.get("/boom/db")
    _assert_problem(response, 503, "DATABASE_UNAVAILABLE")
    assert response.headers["retry-after"] == "2"


async def test_unexpected_error_is_a_bare_500(error_client: httpx.AsyncClient) -> None:
    response = await error_client.get("/boom/bug")
    body = _assert_problem(response, 500, "INTERNAL_ERROR")
    assert "SELECT" not in response.text and "asyncpg" not in response.text
    assert "Traceback" not in response.text
    assert body["title"] == "Internal Server Error"


async def test_unknown_route_and_method_are_problems(error_client: httpx.AsyncClient) -> None:
    _assert_problem(await error_client.get("/nope"), 404, "NOT_FOUND")
    _assert_problem(await error_client.delete("/ping"), 405, "METHOD_NOT_ALLOWED")


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("OPTIONS", "/api/v1/patients/0190c5d2-0000-7000-8000-000000000000", "DELETE, GET, PATCH"),
        ("PUT", "/api/v1/patients", "GET, POST"),
        ("DELETE", "/ping", "GET"),
    ],
)
async def test_a_405_allows_every_method_of_the_path(
    client: httpx.AsyncClient, method: str, path: str, allow: str
) -> None:
    # One route per method: Starlette's own Allow named only the first route's.
    response = await client.request(method, path)
    _assert_problem(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == allow


async def test_422_lists_fields_without_echoing_values(error_client: httpx.AsyncClient) -> None:
    response = await error_client.post(
        "/boom/body", json={"name": SECRET, "age": SECRET, "token": SECRET}
    )
    body = _assert_problem(response, 422, "VALIDATION_ERROR")
    fields = {tuple(error["loc"]) for error in body["errors"]}  # type: ignore[attr-defined]
    assert fields == {("body", "age"), ("body", "token")}
    assert SECRET not in response.text


async def test_problem_carries_the_request_id(error_client: httpx.AsyncClient) -> None:
    response = await error_client.get("/boom/not-found", headers={"X-Request-ID": "rid-42"})
    body = _assert_problem(response, 404, "NOT_FOUND")
    assert body["request_id"] == "rid-42"
