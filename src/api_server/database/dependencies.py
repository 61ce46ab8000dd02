"""FastAPI dependencies: the request's session (`SessionDep`) and read connection
(`ReadConnectionDep`), both ended after the endpoint returns and before the response is sent."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from api_server.compat.fastapi import function_exit_stack
from api_server.database.leases import ReadConnectionLease, SessionLease
from api_server.database.state import get_database
from api_server.request_clock import arrival_of

__all__ = ["ReadConnectionDep", "SessionDep", "get_db_read_connection", "get_db_session"]

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_db_session(request: Request) -> AsyncSession:
    """FastAPI dependency; declare it as `SessionDep` so it commits before the response.

    On SQLite, unsafe methods open a write transaction up front so concurrent writers queue.
    Not a `yield` dependency (FastAPI runs those through a generator and an anyio cancel
    scope, a measurable share of a small request: docs/performance.md). The lease goes on the
    exit stack that a `yield` dependency with `scope="function"` would use, so it ends at the
    same moment. One difference: FastAPI shields a `yield` dependency's exit from
    cancellation; here only the connection's return to the pool is shielded, so a request
    cancelled mid-commit (a forced shutdown) rolls back, as if the process had stopped there,
    and leaks nothing.
    """
    write = request.method not in _SAFE_METHODS
    lease = SessionLease(get_database(), write=write, arrived_at=arrival_of(request.scope))
    return await function_exit_stack(request).enter_async_context(lease)


async def get_db_read_connection(request: Request) -> AsyncConnection:
    """FastAPI dependency; declare it as `ReadConnectionDep` in routes that only read.

    Closed when the endpoint has returned, like `get_db_session`'s session.
    """
    lease = ReadConnectionLease(get_database(), arrived_at=arrival_of(request.scope))
    return await function_exit_stack(request).enter_async_context(lease)


# The session commits when the endpoint has returned, before the response is sent, so a
# failed commit becomes the response instead of a lie.
SessionDep = Annotated[AsyncSession, Depends(get_db_session)]
ReadConnectionDep = Annotated[AsyncConnection, Depends(get_db_read_connection)]
