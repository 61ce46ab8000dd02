"""Database layer: engine and sessions, advisory locks, migrations."""

from api_server.database.advisory_lock import (
    AdvisoryLock,
    AdvisoryLockTimeoutError,
    advisory_lock,
    try_advisory_lock,
)
from api_server.database.alembic_utils import (
    AlembicManager,
    MigrationResult,
    SchemaState,
    SchemaStateError,
    SchemaStatus,
)
from api_server.database.connection import (
    Database,
    ReadConnectionDep,
    ReadSource,
    SessionDep,
    borrow_db_read_connection,
    borrow_db_session,
    dispose_db,
    get_database,
    get_db_read_connection,
    get_db_session,
    get_engine,
    init_db,
)

__all__ = [
    "AdvisoryLock",
    "AdvisoryLockTimeoutError",
    "AlembicManager",
    "Database",
    "MigrationResult",
    "SchemaState",
    "SchemaStateError",
    "ReadConnectionDep",
    "ReadSource",
    "SchemaStatus",
    "SessionDep",
    "advisory_lock",
    "borrow_db_read_connection",
    "borrow_db_session",
    "dispose_db",
    "get_database",
    "get_db_read_connection",
    "get_db_session",
    "get_engine",
    "init_db",
    "try_advisory_lock",
]
