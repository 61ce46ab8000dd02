"""What a domain (one resource folder under `domains/`) contributes to the application.

A domain describes itself with one `Domain`; the composition root (`app.create_app`) takes a
tuple of them (`api_server.domains.DOMAINS`) and, for each one, registers its services and
event handlers, mounts its REST routers under `/api/v1` and merges its GraphQL fields into
the schema. Its tables are known through SQLModel's metadata as soon as it is imported.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from fastapi import APIRouter

from api_server.services.registry import ServiceRegistry

__all__ = ["Domain"]


@dataclass(frozen=True, kw_only=True)
class Domain:
    """One resource's contribution.

    `register(registry)` registers the domain's services and event handlers (the registry
    already holds the framework's: `Settings`, `EventBus`, ...). `graphql_query` and
    `graphql_mutation` name Strawberry types as "module:Class", imported only when the
    GraphQL profile is served (Strawberry is a start-up cost a REST-only instance skips).
    `read_scope` and `write_scope` are the scopes a caller needs for the domain's reads (REST
    GET, GraphQL query fields) and writes (everything else, mutation fields); every route and
    field is behind one of them unless it declares its own `requires(...)`.
    `tags` describes each OpenAPI tag its routers use (name -> description), for the
    document's root (an undeclared tag fails the build: `api/tags.py`).
    `home_link` is the path the home page lists for the domain's REST API. `seed()` adds the
    domain's sample data to the process's database (`api-server-cli seed`), skipping what is
    there already, and returns how many records it added.
    """

    name: str
    read_scope: str
    write_scope: str
    routers: Sequence[APIRouter] = ()
    tags: Mapping[str, str] = field(default_factory=dict)
    register: Callable[[ServiceRegistry], None] | None = None
    graphql_query: str | None = None
    graphql_mutation: str | None = None
    home_link: str | None = None
    seed: Callable[[], Awaitable[int]] | None = None

    def graphql_types(self) -> tuple[type[Any] | None, type[Any] | None]:
        """The domain's Query and Mutation classes (None where it has none)."""
        return _load(self.graphql_query), _load(self.graphql_mutation)


def _load(reference: str | None) -> type[Any] | None:
    if reference is None:
        return None
    module, _, name = reference.partition(":")
    loaded: type[Any] = getattr(import_module(module), name)
    return loaded
