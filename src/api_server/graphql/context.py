"""The per-request GraphQL context: the registry, the request's session and the DataLoaders."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from api_server.auth.dependencies import principal_of
from api_server.auth.principal import Principal
from api_server.database.leases import ReadSource
from api_server.services.registry import ServiceRegistry

T = TypeVar("T")
L = TypeVar("L", bound=DataLoader[Any, Any])

__all__ = ["GraphQLContext", "get_graphql_context"]


class GraphQLContext(BaseContext):
    """What every resolver sees as `info.context`.

    The database is bound by the `DatabaseTransaction` extension for the duration of the
    execution: a mutation gets a session (its transaction), a query a read connection (Core
    statements, as REST's `ReadConnectionDep`; a resolver that needs the ORM in a query can
    open `AsyncSession(bind=connection)` on it). GraphQL resolves sibling fields concurrently
    but a connection runs one statement at a time, so every database access goes through
    `read()` / `write()`, which take turns on one lock (one connection per request either
    way: nothing is lost).
    """

    def __init__(self, registry: ServiceRegistry, principal: Principal | None = None) -> None:
        super().__init__()
        self.registry = registry
        self.principal = principal  # the authenticated caller (the router refuses anonymous)
        self._source: ReadSource | None = None
        self._lock = asyncio.Lock()
        self._loaders: dict[Callable[..., Any], DataLoader[Any, Any]] = {}

    def service(self, service_type: type[T]) -> T:
        """The application's `service_type`, from the same registry as REST routes."""
        return self.registry.get(service_type)

    def loader(self, factory: Callable[[GraphQLContext], L]) -> L:
        """This request's DataLoader built by `factory` (one per factory per request)."""
        loader = self._loaders.get(factory)
        if loader is None:
            loader = self._loaders[factory] = factory(self)
        return loader  # type: ignore[return-value]

    def bind_database(self, source: ReadSource | None) -> None:
        """The operation's database while it runs; None when it ends, which also drops the
        loaders: they read through it, and each closes over this context, a reference cycle
        that would keep the whole request alive until a full garbage collection."""
        self._source = source
        if source is None:
            self._loaders = {}

    def _require_source(self) -> ReadSource:
        if self._source is None:
            raise RuntimeError("no database: is the DatabaseTransaction extension on?")
        return self._source

    @asynccontextmanager
    async def read(self) -> AsyncIterator[ReadSource]:
        """Exclusive use of the request's session (mutations) or read connection (queries)
        for a read: Core statements, as the services' `read*` methods run."""
        async with self._lock:
            yield self._require_source()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """Exclusive use of the session for a mutation field; loader caches start afresh after.

        Whether the writes are kept is decided once for the operation (`DatabaseTransaction`).
        """
        try:
            async with self._lock:
                source = self._require_source()
                if not isinstance(source, AsyncSession):
                    raise RuntimeError("a write outside a mutation: queries read only")
                yield source
        finally:
            self._loaders = {}  # what a loader cached may be stale now


async def get_graphql_context(request: Request) -> GraphQLContext:
    """FastAPI dependency building the context (async: no thread-pool hop per request)."""
    return GraphQLContext(request.app.state.registry, principal_of(request))
