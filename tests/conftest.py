"""Shared fixtures: settings on a temporary SQLite file, the app, an HTTP client, PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from api_server.app import create_app
from api_server.settings import Settings

pytest_plugins = ["tests.http_fixtures"]

# gc.freeze() after each test app's start-up would keep every test's objects forever.
os.environ.setdefault("API_SERVER_GC_TUNE", "false")

DEFAULT_TEST_PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

_pg_skip_reason: list[str] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from tests.reliability.load import ACCOUNTED

    if ACCOUNTED:
        terminalreporter.section("reliability: what happened to every request")
        for test, tally in ACCOUNTED:
            terminalreporter.write_line(f"{test}: {tally.summary()}")
    if _pg_skip_reason:
        terminalreporter.write_line(
            f"!!! PostgreSQL tests SKIPPED: {_pg_skip_reason[0]} !!!", red=True, bold=True
        )


def _admin_url() -> str:
    return os.environ.get("API_SERVER_TEST_DATABASE_URL", DEFAULT_TEST_PG_URL)


def _with_database(url: str, database: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{database}"


async def _pg_admin(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(url, timeout=3)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    """The PostgreSQL maintenance URL; skips loudly (or fails under CI=true) when unreachable."""
    url = _admin_url()
    try:
        asyncio.run(_pg_admin(url, "SELECT 1"))
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        reason = f"{type(error).__name__} connecting to API_SERVER_TEST_DATABASE_URL"
        if IN_CI:
            pytest.fail(f"PostgreSQL is required under CI=true: {reason}")
        _pg_skip_reason.append(reason)
        pytest.skip(f"PostgreSQL unavailable: {reason}")
    return url


def create_pg_database(admin_url: str) -> str:
    """Create a fresh, empty database and return its URL."""
    name = f"api_server_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(admin_url, f'CREATE DATABASE "{name}"'))
    return _with_database(admin_url, name)


def drop_pg_database(admin_url: str, url: str) -> None:
    name = url.rpartition("/")[2]
    asyncio.run(_pg_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def pg_database_url(pg_admin_url: str) -> Iterator[str]:
    """One PostgreSQL database for the whole test session, dropped at the end."""
    url = create_pg_database(pg_admin_url)
    yield url
    drop_pg_database(pg_admin_url, url)


@pytest.fixture
def fresh_pg_database_url(pg_admin_url: str) -> Iterator[str]:
    """An empty PostgreSQL database of the test's own."""
    url = create_pg_database(pg_admin_url)
    yield url
    drop_pg_database(pg_admin_url, url)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of either kind (PostgreSQL: one of this test's own)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db.sqlite'}"
    url: str = request.getfixturevalue("fresh_pg_database_url")
    return url


@pytest.fixture
def sqlite_database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def settings(sqlite_database_url: str) -> Settings:
    return Settings(database_url=sqlite_database_url, _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the app, with its lifespan running."""
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as http,
    ):
        yield http
