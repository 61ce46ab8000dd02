"""Bring the database to a servable state at start-up (and again from readiness, until it is)."""

from __future__ import annotations

from loguru import logger
from sqlalchemy.exc import SQLAlchemyError

from api_server.database.advisory_lock import AdvisoryLockTimeoutError
from api_server.database.alembic_utils import AlembicManager, SchemaStateError, SchemaStatus
from api_server.database.connection import Database
from api_server.exceptions import DatabaseUnavailableError
from api_server.settings import Settings


async def prepare_database(database: Database, settings: Settings) -> SchemaStatus:
    """Apply migrations when AUTO_MIGRATE is on, then report the schema state.

    Raises DatabaseUnavailableError, SchemaStateError or AdvisoryLockTimeoutError; callers
    decide whether that stops anything (start-up does not: readiness reports it and retries).
    """
    manager = AlembicManager(database)
    if settings.auto_migrate:
        await manager.perform_migration()
    return await manager.validate_schema_state()


async def prepare_database_at_startup(database: Database, settings: Settings) -> bool:
    """`prepare_database` for the lifespan: never stops start-up, logs why it is not ready."""
    try:
        status = await prepare_database(database, settings)
    except DatabaseUnavailableError as error:
        logger.warning(
            "database unavailable at start-up ({}); serving as not ready until it answers",
            error.detail,
        )
        return False
    except (SchemaStateError, AdvisoryLockTimeoutError) as error:
        logger.error("database not ready at start-up: {}", error)
        return False
    except (SQLAlchemyError, OSError) as error:
        # E.g. a rejected password: not an outage, but still no reason to refuse to start.
        # The type only: driver messages can name hosts and users.
        logger.error("database not ready at start-up: {}", type(error).__name__)
        return False
    if not status.is_at_head:
        logger.warning("database not ready at start-up: {}", status.message)
        return False
    logger.info("database ready: {}", status.message)
    return True
