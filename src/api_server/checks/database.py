"""Database readiness: initialised (and migrated, with AUTO_MIGRATE), reachable, schema at head.

Results name what is wrong in the server's own words; driver messages (hosts, users) never
reach them.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api_server.database.advisory_lock import AdvisoryLockTimeoutError
from api_server.database.alembic_utils import AlembicManager, SchemaState, SchemaStateError
from api_server.database.connection import get_database
from api_server.database.errors import is_database_unavailable, unavailable_error
from api_server.database.startup import prepare_database
from api_server.exceptions import DatabaseUnavailableError
from api_server.readiness_pipeline import ReadinessCheck, ReadinessCheckResult
from api_server.settings import Settings

__all__ = ["DatabaseHealthCheck", "DatabaseInitializationCheck", "DatabaseSchemaCheck"]

# Migrations may legitimately take a while; the lock wait is bounded by its own setting.
_MIGRATION_GRACE = 30.0


class DatabaseInitializationCheck(ReadinessCheck):
    """Brings the schema to head once (AUTO_MIGRATE) under the migration lock.

    run_once keeps only a success: while the database is down at start-up this keeps failing,
    and the background refresh retries it until the database is back and migrated.
    """

    def __init__(self, settings: Settings) -> None:
        super().__init__(
            "database_initialization",
            is_critical=True,
            run_once=True,
            timeout=settings.advisory_lock_timeout + _MIGRATION_GRACE,
        )
        self._settings = settings

    async def _execute(self) -> ReadinessCheckResult:
        try:
            status = await prepare_database(get_database(), self._settings)
        except DatabaseUnavailableError as error:
            return self.failed(error.detail)
        except SchemaStateError as error:
            return self.failed(error.status.message, {"state": error.status.state.value})
        except AdvisoryLockTimeoutError:
            return self.failed("the migration lock was not acquired in time")
        if status.needs_upgrade:
            return self.failed(f"{status.message} (AUTO_MIGRATE is off: run `db upgrade`)")
        return self.success("database initialised", {"revision": ", ".join(status.current)})


class DatabaseHealthCheck(ReadinessCheck):
    """`SELECT 1` through the pool: the database answers now."""

    def __init__(self, settings: Settings) -> None:
        super().__init__("database_connectivity", is_critical=True)

    async def _execute(self) -> ReadinessCheckResult:
        try:
            async with get_database().engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except (SQLAlchemyError, OSError) as error:
            if not is_database_unavailable(error):
                raise  # the framework reports the type; nothing more is safe to show
            return self.failed(unavailable_error(error).detail)
        return self.success("database answers")


class DatabaseSchemaCheck(ReadinessCheck):
    """The schema matches this code's migration head.

    A database *ahead* of the code is a warning, not a failure: during a rolling deploy the new
    version migrates first and the old instances must keep serving (expand/contract migrations).
    """

    def __init__(self, settings: Settings) -> None:
        super().__init__("database_schema", is_critical=True)

    async def _execute(self) -> ReadinessCheckResult:
        try:
            status = await AlembicManager(get_database()).validate_schema_state()
        except DatabaseUnavailableError as error:
            return self.failed(error.detail)
        details = {"state": status.state.value, "current": list(status.current)}
        if status.is_at_head:
            return self.success(status.message, details)
        if status.state is SchemaState.AHEAD:
            return self.warning(status.message, details)
        return self.failed(status.message, details)
