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
from api_server.services.registry import ServiceRegistry

T = TypeVar("T")
L = TypeVar("L", bound=DataLoader[Any, Any])

__all__ = ["GraphQLContext", "get_graphql_context"]


class GraphQLContext(BaseContext):
    """What every resolver sees as `info.context`.

    The session is bound by the `DatabaseTransaction` extension for the duration of the
    execution. GraphQL resolves sibling fields concurrently but an `AsyncSession` allows one
    operation at a time, so every database access goes through `read()` / `write()`, which
    take turns on one lock (one connection per request either way: nothing is lost).
    """

    def __init__(self, registry: ServiceRegistry, principal: Principal | None = None) -> None:
        super().__init__()
        self.registry = registry
        self.principal = principal  # the authenticated caller (the router refuses anonymous)
        self._session: AsyncSession | None = None
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

    def bind_session(self, session: AsyncSession | None) -> None:
        self._session = session

    def _require_session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("no database session: is the DatabaseTransaction extension on?")
        return self._session

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """Exclusive use of the request's session for a read."""
        async with self._lock:
            yield self._require_session()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """Exclusive use of the session for a mutation field; loader caches start afresh after.

        Whether the writes are kept is decided once for the operation (`DatabaseTransaction`).
        """
        try:
            async with self._lock:
                yield self._require_session()
        finally:
            self._loaders = {}  # what a loader cached may be stale now


async def get_graphql_context(request: Request) -> GraphQLContext:
    """FastAPI dependency building the context (async: no thread-pool hop per request)."""
    return GraphQLContext(request.app.state.registry, principal_of(request))
