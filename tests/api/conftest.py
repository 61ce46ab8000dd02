"""An HTTP client on a migrated database, once per backend (SQLite, PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from api_server.app import create_app
from api_server.database.connection import get_engine
from api_server.settings import Settings


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'api.db'}"
    url: str = request.getfixturevalue("pg_database_url")  # migrated once, emptied per test
    return url


@pytest.fixture
def backend_app(backend_url: str) -> FastAPI:
    return create_app(Settings(database_url=backend_url, _env_file=None))  # type: ignore[call-arg]


@pytest.fixture
async def api(backend_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Client whose lifespan migrated the database; PostgreSQL tables are emptied afterwards."""
    transport = httpx.ASGITransport(app=backend_app, raise_app_exceptions=False)
    async with (
        backend_app.router.lifespan_context(backend_app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as http,
    ):
        yield http
        engine = get_engine()
        if engine.dialect.name == "postgresql":
            async with engine.begin() as conn:
                await conn.execute(text("TRUNCATE patients, addresses CASCADE"))
