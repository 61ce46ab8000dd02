"""Schema states and the models <-> migrations contract, on both backends."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from api_server.database.alembic_utils import AlembicManager, SchemaState, SchemaStateError
from api_server.database.connection import Database
from api_server.models.db_model import metadata


async def test_empty_then_head_then_idempotent(database: Database) -> None:
    manager = AlembicManager(database)
    assert (await manager.validate_schema_state()).state is SchemaState.EMPTY
    first = await manager.perform_migration()
    assert first.applied and first.before == () and first.after == ("0001",)
    status = await manager.validate_schema_state()
    assert status.state is SchemaState.AT_HEAD
    assert not (await manager.perform_migration()).applied


async def test_unknown_revision_is_ahead_and_never_migrated(database: Database) -> None:
    manager = AlembicManager(database)
    await manager.perform_migration()
    async with database.engine.begin() as conn:
        await conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_from_future'"))
    status = await manager.validate_schema_state()
    assert status.state is SchemaState.AHEAD
    assert "ffff_from_future" in status.message
    with pytest.raises(SchemaStateError):
        await manager.perform_migration()


async def test_downgrade_to_base_and_back(database: Database) -> None:
    manager = AlembicManager(database)
    await manager.perform_migration()
    result = await manager.downgrade("base")
    assert result.after == ()
    async with database.engine.connect() as conn:
        tables = await conn.run_sync(lambda sync: sync.dialect.get_table_names(sync))
    assert "patients" not in tables
    assert (await manager.perform_migration()).applied


async def test_models_match_the_migrations(database: Database) -> None:
    await AlembicManager(database).perform_migration()
    async with database.engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"compare_type": True}), metadata
            )
        )
    assert diff == []
