"""Alembic environment. Runs on the connection AlembicManager hands over (under the advisory
lock); when started by the `alembic` command itself it connects with the current settings.
Portable by construction: the same revision files run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

# The application's tables, for `alembic revision --autogenerate`: importing the domains
# defines them in SQLModel's metadata. (This file and the revisions are the application's
# schema history, so like `app.py` they may name the domains.)
import api_server.domains  # noqa: F401, I001

metadata = SQLModel.metadata

config = context.config


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=sqlite,  # SQLite ALTERs via table copies
        # SQLite runs DDL in transactions too (the engine controls BEGIN itself): a migration
        # interrupted half-way leaves nothing behind, as on PostgreSQL.
        transactional_ddl=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_standalone() -> None:
    from api_server.database.connection import create_database
    from api_server.settings import get_settings

    database = create_database(get_settings())
    try:
        async with database.engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await database.dispose()


connection = config.attributes.get("connection")
if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
if connection is None:
    asyncio.run(_run_standalone())
else:
    _run(connection)
