"""Keyset pagination with opaque cursors.

Rows are ordered by their UUIDv7 primary key (time-ordered, unique), and a cursor names the
last id of a page, so pages never overlap or skip rows that existed when paging started, no
matter what is inserted meanwhile.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar
from uuid import UUID

from api_server.exceptions import ValidationFailedError

T = TypeVar("T")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
_PREFIX = b"v1:"


class InvalidCursorError(ValidationFailedError):
    def __init__(self) -> None:
        super().__init__(
            "cursor is not one this server issued",
            extensions={
                "errors": [
                    {"loc": ["query", "cursor"], "msg": "invalid cursor", "type": "value_error"}
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
