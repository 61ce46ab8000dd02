"""Engine and sessions, under the names the seed gives (`api_server.database.connection`).

`init_db()` creates the process's async engine (in the lifespan), `dispose_db()` closes it.
`get_db_session()` is the FastAPI dependency: the request owns the transaction, committed once
after the endpoint returns and before the response is sent, rolled back on any error.
`borrow_db_session()` is the same unit of work for code outside a request.
`get_db_read_connection()` (`ReadConnectionDep`) is a connection without a session, for reads
only; `borrow_db_read_connection()` outside a request.

Each concept has its module: `engine` (the engine and its session factories), `turns` (who
takes a connection next), `leases` (units of work), `state` (the process's database) and
`dependencies` (FastAPI).
"""

from __future__ import annotations

from api_server.database.dependencies import (
    ReadConnectionDep,
    SessionDep,
    get_db_read_connection,
    get_db_session,
)
from api_server.database.engine import READ_ONLY_SESSION, Database, create_database
from api_server.database.leases import ReadConnectionLease, ReadSource, SessionLease
from api_server.database.state import (
    borrow_db_read_connection,
    borrow_db_session,
    current_database,
    dispose_db,
    get_database,
    get_engine,
    init_db,
)

__all__ = [
    "READ_ONLY_SESSION",
    "Database",
    "ReadConnectionDep",
    "ReadConnectionLease",
    "ReadSource",
    "SessionDep",
    "SessionLease",
    "borrow_db_read_connection",
    "borrow_db_session",
    "create_database",
    "current_database",
    "dispose_db",
    "get_database",
    "get_db_read_connection",
    "get_db_session",
    "get_engine",
    "init_db",
]
