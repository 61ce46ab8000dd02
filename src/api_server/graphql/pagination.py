"""Relay-style connections for any node type: `Connection[Patient]` is `PatientConnection`
in the schema, with `edges { cursor node }`, `nodes` (the edges' nodes, for clients that need
no cursor per item) and `pageInfo { hasNextPage endCursor }`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar
from uuid import UUID

import strawberry

from api_server.services.pagination import PageResult, encode_cursor

__all__ = ["Connection", "Edge", "PageInfo", "connection"]

N = TypeVar("N")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[N]):
    cursor: str
    node: N


@strawberry.type
class Connection(Generic[N]):
    edges: list[Edge[N]]
    nodes: list[N]
    page_info: PageInfo


def connection(page: PageResult[Any], node: Callable[[Any], N]) -> Connection[N]:
    """The connection of a service's page; `node(row)` is the GraphQL object of a row."""
    edges = [Edge(cursor=encode_cursor(_key(row)), node=node(row)) for row in page.items]
    return Connection(
        edges=edges,
        nodes=[edge.node for edge in edges],
        page_info=PageInfo(
            has_next_page=page.next_cursor is not None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )


def _key(row: Any) -> UUID:
    key: UUID = row.id
    return key
