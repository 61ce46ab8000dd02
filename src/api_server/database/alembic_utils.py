"""AlembicManager: schema state and migrations, safe with many instances starting at once.

Alembic itself (with Mako and Pygments, ~0.1 s of imports) is loaded only when it has work to
do: the common start-up, a database already at the code's single head, is recognised from the
revision ids declared in the migration files (`revisions.declared_heads()`) and
`alembic_version`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, TypeVar

from loguru import logger
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection

from api_server.database.advisory_lock import (
    AdvisoryLock,
    AdvisoryLockTimeoutError,
    advisory_lock,
)
from api_server.database.connection import Database, get_database
from api_server.database.errors import is_database_unavailable, unavailable_error
from api_server.database.revisions import declared_heads

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

__all__ = [
    "AlembicManager",
    "MigrationResult",
    "SchemaState",
    "SchemaStateError",
    "SchemaStatus",
    "alembic_config",
]

SCRIPT_LOCATION = "api_server.database:migrations"
VERSION_TABLE = "alembic_version"
T = TypeVar("T")


class SchemaState(StrEnum):
    AT_HEAD = "at_head"
    EMPTY = "empty"  # no alembic_version table yet: behind, nothing applied
    BEHIND = "behind"
    AHEAD = "ahead"  # the database carries a revision this code does not know
    MULTIPLE_HEADS = "multiple_heads"  # the code's revision graph has diverged


@dataclass(frozen=True)
class SchemaStatus:
    state: SchemaState
    current: tuple[str, ...]
    heads: tuple[str, ...]

    @property
    def is_at_head(self) -> bool:
        return self.state is SchemaState.AT_HEAD

    @property
    def needs_upgrade(self) -> bool:
        return self.state in {SchemaState.EMPTY, SchemaState.BEHIND}

    @property
    def message(self) -> str:
        current = ", ".join(self.current) or "none"
        heads = ", ".join(self.heads)
        return {
            SchemaState.AT_HEAD: f"schema at head ({heads})",
            SchemaState.EMPTY: f"database has no schema yet; head is {heads}",
            SchemaState.BEHIND: f"schema behind: database at {current}, code head {heads}",
            SchemaState.AHEAD: f"database at unknown revision {current} (newer code?); "
            f"this code's head is {heads}",
            SchemaState.MULTIPLE_HEADS: f"the code has multiple migration heads ({heads}); "
            "merge them with `alembic merge`",
        }[self.state]


class SchemaStateError(RuntimeError):
    """The schema cannot be migrated automatically (database ahead, or multiple heads)."""

    def __init__(self, status: SchemaStatus) -> None:
        super().__init__(status.message)
        self.status = status


@dataclass(frozen=True)
class MigrationResult:
    applied: bool
    before: tuple[str, ...]
    after: tuple[str, ...]


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the migrations inside the package (works from a wheel)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@lru_cache
def _script() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def _current_revisions(connection: Connection) -> tuple[str, ...]:
    # Reading alembic_version on a fresh database would fail: look for the table first.
    if not inspect(connection).has_table(VERSION_TABLE):
        return ()
    rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
    return tuple(sorted(rows))


def _status(connection: Connection) -> SchemaStatus:
    current = _current_revisions(connection)
    at_head = _at_declared_head(current)
    return at_head if at_head is not None else _status_of(current)


def _at_declared_head(current: tuple[str, ...]) -> SchemaStatus | None:
    heads = declared_heads()
    if heads is not None and len(heads) == 1 and current == heads:
        return SchemaStatus(state=SchemaState.AT_HEAD, current=current, heads=heads)
    return None


def _status_of(current: tuple[str, ...]) -> SchemaStatus:
    script = _script()
    heads = tuple(sorted(script.get_heads()))
    if len(heads) > 1:
        state = SchemaState.MULTIPLE_HEADS
    elif not current:
        state = SchemaState.EMPTY
    elif current == heads:
        state = SchemaState.AT_HEAD
    elif any(_unknown(script, revision) for revision in current):
        state = SchemaState.AHEAD
    else:
        state = SchemaState.BEHIND
    return SchemaStatus(state=state, current=current, heads=heads)


def _unknown(script: ScriptDirectory, revision: str) -> bool:
    from alembic.script.revision import ResolutionError
    from alembic.util.exc import CommandError

    try:
        return script.get_revision(revision) is None
    except (ResolutionError, CommandError):  # what alembic raises for an id it does not know
        return True


class AlembicManager:
    """Schema state and migrations for one `Database` (default: the process's)."""

    def __init__(self, database: Database | None = None) -> None:
        self._database = database

    @property
    def database(self) -> Database:
        return self._database or get_database()

    async def _on_connection(self, fn: Callable[[Connection], T]) -> T:
        try:
            async with self.database.engine.connect() as conn:
                return await conn.run_sync(fn)
        except (SQLAlchemyError, OSError) as error:
            if is_database_unavailable(error):
                raise unavailable_error(error) from error
            raise

    async def validate_schema_state(self) -> SchemaStatus:
        """Compare the database's revision with the code's head, without changing anything."""
        await asyncio.to_thread(declared_heads)  # reads the revision files once, off the loop
        current = await self._on_connection(_current_revisions)
        at_head = _at_declared_head(current)
        if at_head is not None:
            return at_head
        # Anything but "at the single head" loads Alembic and the scripts: off the loop too.
        return await asyncio.to_thread(_status_of, current)

    async def current(self) -> tuple[str, ...]:
        return await self._on_connection(_current_revisions)

    async def perform_migration(self, revision: str = "head") -> MigrationResult:
        """Upgrade under the MIGRATION advisory lock; re-checks under the lock, so when many
        instances start together exactly one applies the revisions and the rest see head.
        """
        status = await self.validate_schema_state()
        if status.is_at_head and revision == "head":
            return MigrationResult(applied=False, before=status.current, after=status.current)
        if not status.needs_upgrade and not status.is_at_head:
            raise SchemaStateError(status)
        try:
            async with advisory_lock(AdvisoryLock.MIGRATION, database=self.database) as conn:
                return await self._upgrade_locked(conn, revision)
        except AdvisoryLockTimeoutError:
            raise  # a TimeoutError (so an OSError) too, but a lock held elsewhere, not an outage
        except (SQLAlchemyError, OSError) as error:
            if is_database_unavailable(error):
                raise unavailable_error(error) from error
            raise

    async def _upgrade_locked(self, conn: AsyncConnection, revision: str) -> MigrationResult:
        status = await conn.run_sync(_status)
        await conn.commit()
        if status.state in {SchemaState.AHEAD, SchemaState.MULTIPLE_HEADS}:
            raise SchemaStateError(status)
        if status.is_at_head and revision == "head":
            logger.info("schema already at head ({}); another instance migrated it", status.heads)
            return MigrationResult(applied=False, before=status.current, after=status.current)
        logger.info("migrating schema from {} to {}", status.current or "empty", revision)
        from alembic import command

        await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))
        await conn.commit()
        after = await conn.run_sync(_current_revisions)
        await conn.commit()
        logger.info("schema migrated to {}", ", ".join(after))
        return MigrationResult(applied=after != status.current, before=status.current, after=after)

    async def downgrade(self, revision: str) -> MigrationResult:
        """Downgrade to `revision` under the advisory lock (an operator's explicit action)."""
        from alembic import command

        async with advisory_lock(AdvisoryLock.MIGRATION, database=self.database) as conn:
            before = await conn.run_sync(_current_revisions)
            await conn.commit()
            await conn.run_sync(lambda sync: command.downgrade(alembic_config(sync), revision))
            await conn.commit()
            after = await conn.run_sync(_current_revisions)
            await conn.commit()
        return MigrationResult(applied=before != after, before=before, after=after)

    @staticmethod
    def history() -> list[tuple[str, str, str]]:
        """(revision, down_revision(s), message), newest first."""
        rows = []
        for rev in _script().walk_revisions():
            down = rev.down_revision
            parents = ", ".join(down) if isinstance(down, tuple | list) else down or "<base>"
            rows.append((rev.revision, parents, rev.doc or ""))
        return rows
