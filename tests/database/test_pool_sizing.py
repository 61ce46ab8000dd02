"""How many connections a process keeps, and what each SQLite connection may hold."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text

from api_server.database.connection import create_database
from api_server.database.drivers import POSTGRES_POOL_SIZE, SQLITE_POOL_SIZE
from api_server.exceptions import OverloadedError
from api_server.settings import Settings, SettingsError, load_settings


def _settings(url: str, **overrides: object) -> Settings:
    return Settings(database_url=url, _env_file=None, **overrides)  # type: ignore[arg-type]


async def test_sqlite_pools_five_connections_and_admits_five_sessions_at_once(
    tmp_path: Path,
) -> None:
    database = create_database(
        _settings(f"sqlite:///{tmp_path / 'db.sqlite'}", queue_deadline=0.05)
    )
    try:
        assert database.engine.pool.size() == SQLITE_POOL_SIZE == 5  # type: ignore[attr-defined]
        for _ in range(SQLITE_POOL_SIZE):
            await database.take_connection_turn()
        with pytest.raises(OverloadedError):  # the sixth waits out the queue deadline
            await database.take_connection_turn()
    finally:
        await database.dispose()


async def test_postgresql_pools_twenty_connections_by_default() -> None:
    database = create_database(_settings("postgresql://nobody@127.0.0.1:1/none"))
    try:  # built without connecting
        assert database.engine.pool.size() == POSTGRES_POOL_SIZE == 20  # type: ignore[attr-defined]
    finally:
        await database.dispose()


@pytest.mark.parametrize(
    "url", ["sqlite:///{tmp}/db.sqlite", "postgresql://nobody@127.0.0.1:1/none"]
)
async def test_a_configured_pool_size_applies_to_either_backend(tmp_path: Path, url: str) -> None:
    database = create_database(_settings(url.format(tmp=tmp_path), db_pool_size=7))
    try:
        assert database.engine.pool.size() == 7  # type: ignore[attr-defined]
    finally:
        await database.dispose()


async def test_every_pooled_sqlite_connection_gets_the_bounded_page_cache(
    tmp_path: Path,
) -> None:
    database = create_database(
        _settings(f"sqlite:///{tmp_path / 'db.sqlite'}", sqlite_cache_kib=300)
    )
    entered, release = asyncio.Event(), asyncio.Event()
    seen: list[tuple[int, int]] = []

    async def read() -> None:
        async with database.read_engine.connect() as connection:
            raw = await connection.get_raw_connection()
            seen.append(
                (id(raw.driver_connection), await connection.scalar(text("PRAGMA cache_size")))
            )
            if len(seen) == SQLITE_POOL_SIZE:
                entered.set()
            await release.wait()  # held, so each reader has its own connection

    try:
        readers = [asyncio.create_task(read()) for _ in range(SQLITE_POOL_SIZE)]
        await asyncio.wait_for(entered.wait(), timeout=10)
        release.set()
        await asyncio.gather(*readers)
        assert len({connection for connection, _ in seen}) == SQLITE_POOL_SIZE
        assert {size for _, size in seen} == {-300}  # negative: KiB, not pages
    finally:
        await database.dispose()


@pytest.mark.parametrize("kib", ["0", "63", "1048577", "-2000", "lots"])
def test_an_sqlite_cache_out_of_bounds_is_refused_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, kib: str
) -> None:
    monkeypatch.setenv("API_SERVER_SQLITE_CACHE_KIB", kib)
    with pytest.raises(SettingsError, match=r"^invalid settings: sqlite_cache_kib: "):
        load_settings(_env_file=None)


def test_a_pool_size_below_one_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_SERVER_DB_POOL_SIZE", "0")
    with pytest.raises(SettingsError, match=r"db_pool_size: "):
        load_settings(_env_file=None)
