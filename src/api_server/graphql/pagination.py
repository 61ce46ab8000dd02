"""Relay connections for any node type: `Connection[Patient]` is `PatientConnection` in the
schema, with `edges { cursor node }`, `nodes` (the edges' nodes, for clients that need no
cursor per item) and `pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`.

Pages are read forwards only (`first`, `after`): `First` and `After` are the arguments of
every connection field, `connection()` the one place a page becomes a connection.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID

import strawberry

from api_server.services.pagination import DEFAULT_LIMIT, MAX_LIMIT, PageResult, encode_cursor

__all__ = ["After", "Connection", "Edge", "First", "PageInfo", "connection"]

N = TypeVar("N")

First = Annotated[
    int | None,
    strawberry.argument(description=f"Page size: 1 to {MAX_LIMIT} items (null: {DEFAULT_LIMIT})."),
]
After = Annotated[
    str | None,
    strawberry.argument(
        description="Start after the item of this cursor (an edge's `cursor` or a page's "
        "`endCursor`); null for the first page."
    ),
]


@strawberry.type(description="Where a page sits in its list (Relay PageInfo).")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="Whether items follow this page: ask for them with `after: endCursor`."
    )
    has_previous_page: bool = strawberry.field(
        description="Whether items come before this page. Pages are read forwards only, so "
        "this is true exactly when the page was asked for with `after` (the cursor's item "
        "and those before it precede the page); the first page has none."
    )
    start_cursor: str | None = strawberry.field(
        description="The cursor of the page's first item; null for an empty page."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the page's last item, to pass as `after` for the next "
        "page; null for an empty page."
    )


@strawberry.type(description="An item of a page with its cursor (Relay edge).")
class Edge(Generic[N]):
    cursor: str = strawberry.field(
        description="Opaque position of this item: pass it as `after` for the items that "
        "follow it. The same cursor REST issues for this item."
    )
    node: N = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list, oldest first (Relay connection).")
class Connection(Generic[N]):
    edges: list[Edge[N]] = strawberry.field(description="The page's items with their cursors.")
    nodes: list[N] = strawberry.field(
        description="The page's items without cursors (the nodes of `edges`)."
    )
    page_info: PageInfo = strawberry.field(description="Where the page sits in the list.")


def connection(
    page: PageResult[Any], node: Callable[[Any], N], *, after: str | None
) -> Connection[N]:
    """The connection of a service's page; `node(row)` is the GraphQL object of a row and
    `after` the cursor the page was asked for with."""
    edges = [Edge(cursor=encode_cursor(_key(row)), node=node(row)) for row in page.items]
    return Connection(
        edges=edges,
        nodes=[edge.node for edge in edges],
        page_info=PageInfo(
            has_next_page=page.next_cursor is not None,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )


def _key(row: Any) -> UUID:
    key: UUID = row.id
    return key
