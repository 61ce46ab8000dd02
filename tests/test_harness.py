"""The PostgreSQL fixture hands out a real, empty database of this test session."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

pytestmark = pytest.mark.postgres


async def _tables_and_name(url: str) -> tuple[int, str]:
    conn = await asyncpg.connect(url, timeout=3)
    try:
        tables = await conn.fetchval(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        )
        name = await conn.fetchval("SELECT current_database()")
    finally:
        await conn.close()
    return tables, name


def test_fresh_pg_database_is_empty_and_private(fresh_pg_database_url: str) -> None:
    tables, name = asyncio.run(_tables_and_name(fresh_pg_database_url))
    assert tables == 0
    assert name.startswith("api_server_test_")
    assert fresh_pg_database_url.endswith(name)
