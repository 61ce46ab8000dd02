"""Database fixtures parametrised over SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from api_server.database.connection import Database, create_database
from api_server.settings import Settings


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of either kind (PostgreSQL: one of this test's own)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db.sqlite'}"
    url: str = request.getfixturevalue("fresh_pg_database_url")
    return url


@pytest.fixture
async def database(any_database_url: str) -> AsyncIterator[Database]:
    database = create_database(
        Settings(database_url=any_database_url, db_pool_timeout=1, _env_file=None)  # type: ignore[call-arg]
    )
    yield database
    await database.engine.dispose()
