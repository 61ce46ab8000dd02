"""Typed dependencies: a route's signature reads like documentation."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Query

from api_server.database.connection import ReadConnectionDep, SessionDep
from api_server.services.pagination import DEFAULT_LIMIT, MAX_LIMIT

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "CursorQuery",
    "IfMatchHeader",
    "LimitQuery",
    "ReadConnectionDep",
    "SessionDep",
]

# The page-size bounds are the ones GraphQL's `first` checks (services/pagination.py).
LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size.")]
CursorQuery = Annotated[
    str | None, Query(max_length=200, description="`next_cursor` of the previous page.")
]
IfMatchHeader = Annotated[
    str | None, Header(description="ETag the client last read; a mismatch answers 412.")
]
DEFAULT_PAGE_SIZE = DEFAULT_LIMIT
