"""Acceptance: during a database outage, every REST operation's response is one its OpenAPI
document lists (status, media type, schema, required headers), and each operation that needs
the database says so with 503 DATABASE_UNAVAILABLE and `Retry-After`, never a 500.

The app is pointed at a database it cannot reach (a PostgreSQL port nothing listens on, a
SQLite "file" that is a folder) and every operation of the document is called
with a valid request (parameters and body built from the document itself), once with a JWT
(verified without the database, so each operation meets the outage itself) and once with an
API key (whose lookup meets it first).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from api_server.app import create_app
from tests.auth.test_jwt import RSA_KEY, jwt_settings, public_pem, token
from tests.fixtures.app import serving
from tests.fixtures.auth import bearer
from tests.openapi_document import Operation, assert_documented, minimal_instance, operations
from tests.serverproc import free_port

EVERY_SCOPE = "admin patients:read patients:write"
# Never checked against a database that cannot answer: the lookup is the outage.
AN_API_KEY = "apisrv_" + "k" * 43


@pytest.fixture(params=["postgresql", "sqlite"])
def unreachable_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return f"postgresql://postgres@127.0.0.1:{free_port()}/nothing"  # nothing listens
    (tmp_path / "a-folder").mkdir()
    return f"sqlite:///{tmp_path / 'a-folder'}"  # no file SQLite can open


@pytest.fixture
async def outage(unreachable_url: str) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    settings = jwt_settings(
        database_url=unreachable_url,
        jwt_public_key=public_pem(RSA_KEY),
        db_connect_timeout=1,
    )
    app = create_app(settings)
    async with serving(app, raise_app_exceptions=False, scopes=None) as http:
        yield app, http


def _request(operation: Operation) -> dict[str, Any]:
    """A request the operation accepts: each path parameter an id, each required query
    parameter and the body their minimal valid value."""
    document, spec = operation.document, operation.spec
    path = operation.path
    params: dict[str, Any] = {}
    for parameter in spec.get("parameters", []):
        if parameter["in"] == "path":
            path = path.replace("{" + parameter["name"] + "}", str(uuid.uuid4()))
        elif parameter["in"] == "query" and parameter.get("required"):
            params[parameter["name"]] = minimal_instance(document, parameter["schema"])
    request: dict[str, Any] = {"method": operation.method.upper(), "url": path, "params": params}
    body = spec.get("requestBody", {}).get("content", {}).get("application/json")
    if body is not None:
        request["json"] = minimal_instance(document, body["schema"])
    return request


@pytest.mark.parametrize("credential", ["jwt", "api key"])
async def test_during_an_outage_every_rest_answer_is_a_documented_one(
    outage: tuple[FastAPI, httpx.AsyncClient], credential: str
) -> None:
    app, http = outage
    document = app.openapi()
    headers = bearer(token(scope=EVERY_SCOPE) if credential == "jwt" else AN_API_KEY)
    rest = [op for op in operations(document) if "graphql" not in op.spec["tags"]]
    assert len(rest) >= 15, rest
    answers = {}
    for operation in rest:
        response = await http.request(**_request(operation), headers=headers)
        assert_documented(operation, response)
        answers[operation.id] = response.status_code
        if operation.path.startswith("/api/v1/"):  # the outage was met, not a 422 before it
            assert response.status_code == 503, (operation, response.text)
            assert response.json()["code"] == "DATABASE_UNAVAILABLE"
            assert int(response.headers["Retry-After"]) >= 1
    # The probes answer without the database; readiness says it is not ready.
    assert (answers["ping"], answers["getVersion"], answers["healthCheck"]) == (200, 200, 503)
    assert answers["rerunHealthCheck"] == 503
