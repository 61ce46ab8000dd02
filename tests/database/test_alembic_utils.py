"""Schema states and the models <-> migrations contract, on both backends."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

import api_server.domains  # noqa: F401  # the application's tables, in SQLModel's metadata
from api_server.database.alembic_utils import (
    AlembicManager,
    SchemaState,
    SchemaStateError,
)
from api_server.database.connection import Database
from tests.fixtures.database import head_revision

metadata = SQLModel.metadata


async def test_empty_then_head_then_idempotent(database: Database) -> None:
    manager = AlembicManager(database)
    assert (await manager.validate_schema_state()).state is SchemaState.EMPTY
    first = await manager.perform_migration()
    assert first.applied and first.before == () and first.after == (head_revision(),)
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


def test_a_start_at_head_does_not_import_alembic(tmp_path: Path) -> None:
    # Alembic (with Mako, Pygments) is ~0.1 s of start-up: the common case must not load it.
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    program = (
        "import asyncio, sys\n"
        "from api_server.database.alembic_utils import AlembicManager\n"
        "from api_server.database.connection import create_database\n"
        "from api_server.settings import Settings\n"
        "async def main():\n"
        f"    database = create_database(Settings(database_url={url!r}))\n"
        "    manager = AlembicManager(database)\n"
        "    if sys.argv[1] == 'migrate':\n"
        "        await manager.perform_migration()\n"
        "    status = await manager.validate_schema_state()\n"
        "    await database.dispose()\n"
        "    print(status.state, 'alembic' in sys.modules)\n"
        "asyncio.run(main())\n"
    )

    def run(mode: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", program, mode], capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    assert run("migrate") == "at_head True"
    assert run("check") == "at_head False"
