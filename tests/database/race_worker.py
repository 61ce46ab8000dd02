"""Runs in child processes of the migration race tests (forkserver: imported once, forked fast)."""

from __future__ import annotations

import asyncio
import time
from multiprocessing.synchronize import Barrier, Event
from typing import Any

from alembic.runtime.migration import MigrationContext

from api_server.database.alembic_utils import AlembicManager
from api_server.database.connection import create_database
from api_server.settings import Settings


def migrate(url: str, barrier: Barrier, results: Any, hang_event: Event | None = None) -> None:
    """Wait for every sibling, then migrate; report whether this process applied revisions.

    With `hang_event`, apply the DDL, signal, and hang inside the open transaction while
    holding the lock: the test kills this process there.
    """
    if hang_event is not None:
        real_run = MigrationContext.run_migrations

        def run_then_hang(self: MigrationContext, **kw: Any) -> None:
            real_run(self, **kw)  # the DDL ran; its transaction is still open
            hang_event.set()
            time.sleep(3600)

        MigrationContext.run_migrations = run_then_hang  # type: ignore[method-assign]

    async def main() -> bool:
        database = create_database(
            Settings(database_url=url, advisory_lock_timeout=60, _env_file=None)  # type: ignore[call-arg]
        )
        try:
            return (await AlembicManager(database).perform_migration()).applied
        finally:
            await database.dispose()

    barrier.wait(timeout=60)
    results.put(asyncio.run(main()))
