"""Database fixtures parametrised over SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from api_server.database.connection import Database, create_database
from api_server.settings import Settings


@pytest.fixture
async def database(any_database_url: str) -> AsyncIterator[Database]:
    database = create_database(
        Settings(database_url=any_database_url, db_pool_timeout=1, _env_file=None)  # type: ignore[call-arg]
    )
    yield database
    await database.dispose()
