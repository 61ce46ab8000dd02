"""API_SERVER_PROFILES decides what is mounted: routes, OpenAPI and home page agree."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest
from fastapi import FastAPI

from api_server.app import create_app
from api_server.settings import Settings


def _app(profiles: str, database_url: str) -> FastAPI:
    return create_app(Settings(database_url=database_url, profiles=profiles, _env_file=None))  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("profiles", "graphql", "rest"),
    [("rest", False, True), ("graphql", True, False), ("", True, True)],
)
async def test_profiles_mount_exactly_their_surface(
    profiles: str, graphql: bool, rest: bool, sqlite_database_url: str
) -> None:
    app = _app(profiles, sqlite_database_url)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        openapi = (await http.get("/openapi.json")).json()["paths"]
        home = (await http.get("/")).text
        posted = await http.post("/graphql", json={"query": "{ __typename }"})
        listed = await http.get("/api/v1/patients")
    assert ("/graphql" in openapi) is graphql
    assert any(path.startswith("/api/v1/") for path in openapi) is rest
    assert {"/ping", "/health-check", "/version"} <= set(openapi)
    assert ('href="/graphql"' in home) is graphql
    assert ('href="/api/v1/patients"' in home) is rest
    assert (posted.status_code == 404) is not graphql
    if not rest:  # with REST mounted the list needs the database (no lifespan here)
        assert listed.status_code == 404


async def test_graphiql_when_enabled_gets_a_policy_that_lets_it_load(
    settings: Settings,
) -> None:
    from api_server.graphql.router import GRAPHIQL_CSP

    app = create_app(settings.model_copy(update={"graphiql": True}))
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as http,
    ):
        page = await http.get("/graphql", headers={"Accept": "text/html"})
        api = await http.get("/ping")
    assert page.status_code == 200
    assert "unpkg.com" in page.text
    assert page.headers["content-security-policy"] == GRAPHIQL_CSP
    assert "unpkg.com" not in api.headers["content-security-policy"]


@pytest.mark.parametrize(("profiles", "loaded"), [("rest", False), ("", True)])
def test_graphql_is_imported_only_when_served(
    profiles: str, loaded: bool, sqlite_database_url: str
) -> None:
    # Strawberry + graphql-core are ~0.2 s of start-up: a REST-only instance skips them.
    program = (
        "import sys\n"
        "from api_server.app import create_app\n"
        "from api_server.settings import Settings\n"
        f"create_app(Settings(database_url={sqlite_database_url!r}, profiles={profiles!r},"
        " _env_file=None))\n"
        "print('strawberry' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == str(loaded)
