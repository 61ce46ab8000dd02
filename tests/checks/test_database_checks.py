"""The database stage of the server pipeline, on both backends and with the database down."""

from __future__ import annotations

from collections.abc import AsyncIterator

from sqlalchemy import text

import api_server.database.state as connection
from api_server.checks.pipeline_builders import build_server_pipeline
from api_server.database.connection import Database, create_database
from api_server.readiness_pipeline import PipelineStatus, ReadinessStatus
from api_server.settings import Settings
from tests.serverproc import free_port


async def _as_process_database(settings: Settings) -> AsyncIterator[Database]:
    database = create_database(settings)
    previous, connection._database = connection._database, database
    try:
        yield database
    finally:
        connection._database = previous
        await database.engine.dispose()


def _statuses(result: object) -> dict[str, ReadinessStatus]:
    return {
        check.name: check.status
        for stage in result.stages  # type: ignore[attr-defined]
        for check in stage.checks
    }


async def test_initialization_migrates_then_everything_succeeds(any_database_url: str) -> None:
    settings = Settings(database_url=any_database_url, _env_file=None)  # type: ignore[call-arg]
    async for _ in _as_process_database(settings):
        result = await build_server_pipeline(settings).run()
        assert result.status is PipelineStatus.OPERATIONAL
        assert set(_statuses(result).values()) == {ReadinessStatus.SUCCESS}


async def test_without_auto_migrate_an_empty_database_is_not_ready(any_database_url: str) -> None:
    settings = Settings(database_url=any_database_url, auto_migrate=False, _env_file=None)  # type: ignore[call-arg]
    async for _ in _as_process_database(settings):
        result = await build_server_pipeline(settings).run()
        assert result.status is PipelineStatus.ERROR
        assert _statuses(result)["database_initialization"] is ReadinessStatus.FAILED


async def test_database_ahead_of_the_code_is_degraded_not_down(any_database_url: str) -> None:
    settings = Settings(database_url=any_database_url, _env_file=None)  # type: ignore[call-arg]
    async for database in _as_process_database(settings):
        pipeline = build_server_pipeline(settings)
        assert (await pipeline.run()).status is PipelineStatus.OPERATIONAL
        async with database.engine.begin() as conn:
            await conn.execute(text("UPDATE alembic_version SET version_num = '9999_newer'"))
        result = await pipeline.run()
        assert result.status is PipelineStatus.DEGRADED
        assert _statuses(result)["database_schema"] is ReadinessStatus.WARNING


async def test_database_down_is_an_error_naming_no_host() -> None:
    port = free_port()
    settings = Settings(
        database_url=f"postgresql://app:pw@127.0.0.1:{port}/app",
        db_connect_timeout=1,
        _env_file=None,  # type: ignore[call-arg]
    )
    async for _ in _as_process_database(settings):
        result = await build_server_pipeline(settings).run()
    assert result.status is PipelineStatus.ERROR
    init = next(c for s in result.stages for c in s.checks if c.name == "database_initialization")
    assert init.message == "the database server cannot be reached"
    assert str(port) not in str(result)
