"""Keyset pagination with opaque cursors.

Rows are ordered by their UUIDv7 primary key (time-ordered, unique), and a cursor names the
last id of a page, so pages never overlap or skip rows that existed when paging started, no
matter what is inserted meanwhile.
"""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic, TypeVar
from uuid import UUID

from sqlalchemy import ColumnElement, Integer, Select, Table, bindparam, func, select

from api_server.exceptions import ValidationFailedError

T = TypeVar("T")
M = TypeVar("M")

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "InvalidCursorError",
    "PageResult",
    "decode_cursor",
    "encode_cursor",
    "check_page_size",
    "keyset_page",
    "keyset_pages",
    "paginate",
]

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
_PREFIX = b"v1:"


class InvalidCursorError(ValidationFailedError):
    def __init__(self, loc: Sequence[str] = ("query", "cursor")) -> None:
        super().__init__(
            "cursor is not one this server issued",
            extensions={
                "errors": [{"loc": list(loc), "msg": "invalid cursor", "type": "value_error"}]
            },
        )


def check_page_size(size: int | None, loc: Sequence[str]) -> int:
    """`size` if within 1..MAX_LIMIT (None: DEFAULT_LIMIT), else a VALIDATION_ERROR at `loc`.

    For callers that take the size unvalidated (GraphQL's `first`); REST routes declare the
    same bounds on the query parameter (`LimitQuery`).
    """
    if size is None:
        return DEFAULT_LIMIT
    if 1 <= size <= MAX_LIMIT:
        return size
    raise ValidationFailedError(
        f"invalid argument: {'.'.join(loc)}",
        extensions={
            "errors": [
                {
                    "loc": list(loc),
                    "msg": f"must be between 1 and {MAX_LIMIT}",
                    "type": "value_error",
                }
            ]
        },
    )


def encode_cursor(last_id: UUID) -> str:
    return base64.urlsafe_b64encode(_PREFIX + last_id.bytes).rstrip(b"=").decode()


def decode_cursor(cursor: str) -> UUID:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        raise InvalidCursorError() from None
    if not raw.startswith(_PREFIX) or len(raw) != len(_PREFIX) + 16:
        raise InvalidCursorError()
    return UUID(bytes=raw[len(_PREFIX) :])


@dataclass(frozen=True)
class PageResult(Generic[T]):
    items: list[T]
    next_cursor: str | None


def paginate(rows: Sequence[T], limit: int, id_of: Callable[[T], UUID]) -> PageResult[T]:
    """`rows` was fetched with `limit + 1`: the extra row only says that another page exists."""
    if len(rows) <= limit:
        return PageResult(items=list(rows), next_cursor=None)
    items = list(rows[:limit])
    return PageResult(items=items, next_cursor=encode_cursor(id_of(items[-1])))


async def keyset_page(
    source: Any,
    table: Table,
    *conditions: ColumnElement[bool],
    limit: int,
    cursor: str | None = None,
    read: Callable[[Any], M],
) -> PageResult[M]:
    """One page of `table` rows matching `conditions`, in primary-key (creation) order.

    `table`'s primary key is a UUIDv7 `id`. A Core statement, so `source` is a session or a
    read connection (`ReadSource`); `read(mapping)` turns a row into the item (a read model):
    no ORM instance is built for a page that is only displayed.
    """
    key = table.c.id
    where = list(conditions)
    if cursor is not None:
        where.append(key > decode_cursor(cursor))
    statement = select(table).where(*where).order_by(key).limit(limit + 1)
    rows = [read(row) for row in (await source.execute(statement)).mappings()]
    return paginate(rows, limit, lambda item: item.id)  # type: ignore[attr-defined]


async def keyset_pages(
    session: Any,
    table: Table,
    group: str,
    keys: Collection[UUID],
    *,
    limit: int,
    cursor: str | None = None,
    read: Callable[[Any], M],
) -> dict[UUID, PageResult[M]]:
    """The first page (after `cursor`) of `table` rows for each value of column `group` in
    `keys`, in one query: rows ranked per group by primary key, `limit + 1` kept per group.
    `read(mapping)` turns a row into the item; groups without rows get an empty page.

    For child connections resolved by a DataLoader (a patient's addresses, first 20 of each).
    """
    parameters: dict[str, Any] = {"keys": list(keys), "keep": limit + 1}
    if cursor is not None:
        parameters["after"] = decode_cursor(cursor)
    statement = _ranked_pages(table, group, after=cursor is not None)
    rows: dict[UUID, list[Any]] = defaultdict(list)
    for row in (await session.execute(statement, parameters)).mappings():
        rows[row[group]].append(row)
    return {
        value: paginate([read(row) for row in rows.get(value, ())], limit, lambda item: item.id)  # type: ignore[attr-defined]
        for value in keys
    }


@lru_cache(maxsize=32)
def _ranked_pages(table: Table, group: str, *, after: bool) -> Select[Any]:
    """`keyset_pages`' statement, built once per table, group and cursor use; the keys, the
    cursor and the page size are bound when it runs. Built per call, its subquery's column
    collections were reference cycles left to the garbage collector on every request."""
    key, group_column = table.c.id, table.c[group]
    where: list[ColumnElement[bool]] = [
        group_column.in_(bindparam("keys", expanding=True, type_=group_column.type))
    ]
    if after:
        where.append(key > bindparam("after", type_=key.type))
    rank = func.row_number().over(partition_by=group_column, order_by=key).label("_rank")
    ranked = select(table, rank).where(*where).subquery()
    return (
        select(*(ranked.c[column.name] for column in table.c))
        .where(ranked.c._rank <= bindparam("keep", type_=Integer))
        .order_by(ranked.c[group], ranked.c.id)
    )
