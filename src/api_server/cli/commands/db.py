"""`db` commands: check, upgrade, current, history, downgrade.

Exit codes (stable, for scripts and init containers):
0 ok / at head, 1 unexpected failure, 2 usage or settings error, 3 database unreachable,
4 schema behind (or empty), 5 database ahead of the code or multiple heads, 6 lock timeout.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from enum import IntEnum
from typing import Annotated, TypeVar

import typer

from api_server.cli.checks.pipeline_builders import (
    build_post_migration_pipeline,
    build_pre_migration_pipeline,
)
from api_server.cli.output import fail, info
from api_server.database.advisory_lock import AdvisoryLockTimeoutError
from api_server.database.alembic_utils import (
    AlembicManager,
    MigrationResult,
    SchemaState,
    SchemaStateError,
)
from api_server.database.connection import Database, dispose_db, init_db
from api_server.exceptions import ApiError, DatabaseUnavailableError
from api_server.readiness_pipeline import format_summary
from api_server.settings import SettingsError, get_settings

app = typer.Typer(help="Database schema: check, upgrade, downgrade.", no_args_is_help=True)
T = TypeVar("T")


class ExitCode(IntEnum):
    OK = 0
    FAILURE = 1
    USAGE = 2
    UNREACHABLE = 3
    BEHIND = 4
    AHEAD = 5
    LOCK_TIMEOUT = 6


_STATE_EXIT = {
    SchemaState.AT_HEAD: ExitCode.OK,
    SchemaState.EMPTY: ExitCode.BEHIND,
    SchemaState.BEHIND: ExitCode.BEHIND,
    SchemaState.AHEAD: ExitCode.AHEAD,
    SchemaState.MULTIPLE_HEADS: ExitCode.AHEAD,
}


_UPGRADE_HINT = (
    "run `api-server-cli db upgrade --yes`, or start the server, which migrates by itself "
    "unless API_SERVER_AUTO_MIGRATE=false"
)


async def require_head(manager: AlembicManager) -> None:
    """For commands that use the schema (seed, auth, events): refuse unless it is at head."""
    status = await manager.validate_schema_state()
    if not status.is_at_head:
        raise SchemaStateError(status)


def run_on_database(operation: Callable[[AlembicManager], Awaitable[T]]) -> T:
    """Run `operation` on a fresh engine, turning known failures into one-line exits."""
    try:
        settings = get_settings()
    except SettingsError as error:
        fail(str(error), code=ExitCode.USAGE)

    async def main() -> T:
        # The process's database (init_db), so the admin readiness checks see it too. They
        # observe only: migrating is this command's explicit job.
        database: Database = init_db(settings.model_copy(update={"auto_migrate": False}))
        try:
            return await operation(AlembicManager(database))
        finally:
            await dispose_db()

    try:
        return asyncio.run(main())
    except DatabaseUnavailableError as error:
        fail(f"database unreachable: {error.detail}", code=ExitCode.UNREACHABLE)
    except SchemaStateError as error:
        code = _STATE_EXIT[error.status.state]
        hint = f"; {_UPGRADE_HINT}" if code is ExitCode.BEHIND else ""
        fail(f"{error}{hint}", code=code)
    except AdvisoryLockTimeoutError as error:
        fail(str(error), code=ExitCode.LOCK_TIMEOUT)
    except ApiError as error:  # a domain rule refused what the command did (seed, ...)
        fail(f"{error.code}: {error.detail}", code=ExitCode.FAILURE)


@app.command("check")
def check() -> None:
    """Exit 0 when the schema is at head; otherwise say why (exit 3, 4 or 5)."""
    status = run_on_database(lambda manager: manager.validate_schema_state())
    code = _STATE_EXIT[status.state]
    if code is ExitCode.OK:
        info(status.message)
        return
    if code is ExitCode.BEHIND:
        fail(f"{status.message}; {_UPGRADE_HINT}", code=code)
    fail(status.message, code=code)


@app.command("current")
def current() -> None:
    """Print the database's current revision(s)."""
    revisions = run_on_database(lambda manager: manager.current())
    info(", ".join(revisions) if revisions else "none (empty database)")


@app.command("history")
def history() -> None:
    """List the migrations shipped with this code, newest first."""
    for revision, parents, message in AlembicManager.history():
        info(f"{parents} -> {revision}  {message}")


def _confirm(question: str, yes: bool) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        fail("refusing to change the schema without a terminal; pass --yes", code=ExitCode.USAGE)
    if not typer.confirm(question, default=False):
        fail("aborted", code=ExitCode.FAILURE)


@app.command("upgrade")
def upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Apply migrations up to REVISION (default head) under the migration lock."""
    status = run_on_database(lambda manager: manager.validate_schema_state())
    if status.is_at_head and revision == "head":
        info(status.message)
        return
    if status.state in {SchemaState.AHEAD, SchemaState.MULTIPLE_HEADS}:
        fail(status.message, code=_STATE_EXIT[status.state])
    _confirm(f"{status.message}. Upgrade to {revision}?", yes)
    settings = get_settings().model_copy(update={"auto_migrate": False})

    async def migrate(manager: AlembicManager) -> MigrationResult:
        # Basic checks before (configuration, database reachable), the full pipeline after.
        before = await build_pre_migration_pipeline(settings).run()
        if not before.is_ready:
            info(format_summary(before))
            raise DatabaseUnavailableError("pre-migration checks failed (see above)")
        result = await manager.perform_migration(revision)
        after = await build_post_migration_pipeline(settings).run()
        info(format_summary(after))
        return result

    result = run_on_database(migrate)
    before = ", ".join(result.before) or "empty"
    info(f"upgraded {before} -> {', '.join(result.after)}" if result.applied else "nothing to do")


@app.command("downgrade")
def downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, e.g. -1 or base.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Revert migrations down to REVISION under the migration lock (destroys data)."""
    _confirm(f"Downgrade the schema to {revision}? Data in dropped tables is lost.", yes)
    result = run_on_database(lambda manager: manager.downgrade(revision))
    after = ", ".join(result.after) or "base"
    info(f"downgraded {', '.join(result.before) or 'base'} -> {after}")
