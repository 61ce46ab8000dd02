"""Every connection-level failure is a 503 with Retry-After naming the cause's kind, never a
500: a database that does not exist, one dropped while the server runs, a refused login."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit, urlunsplit

import pytest

from api_server.app import create_app
from api_server.settings import Settings
from tests.fixtures.app import serving
from tests.fixtures.auth import bearer
from tests.fixtures.database import drop_pg_database

pytestmark = pytest.mark.postgres


def _settings(url: str) -> Settings:
    return Settings(database_url=url, db_connect_timeout=2, _env_file=None)  # type: ignore[call-arg]


def _with(url: str, *, user: str | None = None, database: str | None = None) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc if user is None else f"{user}@{parts.hostname}:{parts.port or 5432}"
    return urlunsplit(
        parts._replace(netloc=netloc, path=f"/{database}" if database else parts.path)
    )


@pytest.mark.parametrize(
    ("case", "detail"),
    [
        ("missing database", "the database does not exist"),
        ("refused login", "the database refused the login"),
    ],
)
async def test_a_server_that_cannot_log_in_answers_503(
    pg_admin_url: str, case: str, detail: str
) -> None:
    url = {
        "missing database": _with(pg_admin_url, database="api_server_no_such_database"),
        "refused login": _with(pg_admin_url, user="no_such_role:secret-pw"),
    }[case]
    app = create_app(_settings(url))
    async with serving(app, raise_app_exceptions=False, scopes=None) as http:
        # A key the server has not seen: verifying it needs the database, which cannot be
        # reached, so that too is a 503, never a 401.
        http.headers.update(bearer("apisrv_" + "k" * 43))
        response = await http.get("/api/v1/patients")
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"] == "1"
        assert (response.json()["code"], response.json()["detail"]) == (
            "DATABASE_UNAVAILABLE",
            detail,
        )
        # GraphQL says the same as a GraphQL response (GraphQL over HTTP).
        query = {"query": "{ patients { edges { cursor } } }"}
        answer = await http.post("/graphql", json=query)
        assert (answer.status_code, answer.headers["retry-after"]) == (503, "1")
        error = answer.json()["errors"][0]
        assert (error["extensions"]["code"], error["message"]) == ("DATABASE_UNAVAILABLE", detail)
        for text in (response.text, answer.text):
            assert "secret-pw" not in text and "no_such" not in text
        assert (await http.get("/health-check")).status_code == 503


async def test_a_database_dropped_under_a_running_server_answers_503(
    pg_admin_url: str, fresh_pg_database_url: str
) -> None:
    url = fresh_pg_database_url
    async with serving(create_app(_settings(url)), raise_app_exceptions=False) as http:
        assert (await http.get("/api/v1/patients")).status_code == 200
        # WITH (FORCE) ends the pooled connections too.
        await asyncio.to_thread(drop_pg_database, pg_admin_url, url)
        for _ in range(3):  # the dead pooled connection, then new ones to a missing database
            response = await http.get("/api/v1/patients")
            assert response.status_code == 503, response.text
            assert response.json()["code"] == "DATABASE_UNAVAILABLE"
