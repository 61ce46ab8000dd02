"""The schema's custom scalars, `Date` and `DateTime`: RFC 3339, as REST writes them.

A `DateTime` is written by pydantic's serializer, the one REST responses use, after
conversion to UTC: `2024-05-01T12:30:00Z`, fractions of a second only when there are any.
Both are read strictly as RFC 3339 (a `DateTime` needs its offset); each names the RFC as
its `specifiedByURL`, so generated clients know the format.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

import pydantic_core
import strawberry
from strawberry.types.scalar import ScalarDefinition

__all__ = ["RFC_3339", "SCALARS", "parse_date", "parse_datetime", "serialize_datetime"]

RFC_3339 = "https://datatracker.ietf.org/doc/html/rfc3339"

_FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)


def serialize_datetime(value: datetime) -> str:
    if value.tzinfo is None:
        # RFC 3339 needs the offset; a naive value here is a bug, not a client's error.
        raise ValueError("a DateTime must carry its time zone")
    text: str = pydantic_core.to_jsonable_python(value.astimezone(UTC))
    return text


def parse_datetime(value: Any) -> datetime:
    if not isinstance(value, str) or not _DATE_TIME.fullmatch(value):
        raise ValueError("expected an RFC 3339 date-time with an offset, e.g. 2024-05-01T12:30:00Z")
    return datetime.fromisoformat(value.upper())


def parse_date(value: Any) -> date:
    if not isinstance(value, str) or not _FULL_DATE.fullmatch(value):
        raise ValueError("expected an RFC 3339 full-date, e.g. 2024-05-01")
    return date.fromisoformat(value)


DATE = strawberry.scalar(
    name="Date",
    description="A calendar date: RFC 3339 full-date, `YYYY-MM-DD`.",
    specified_by_url=RFC_3339,
    serialize=date.isoformat,
    parse_value=parse_date,
)
DATE_TIME = strawberry.scalar(
    name="DateTime",
    description="An instant: RFC 3339 date-time, written in UTC with `Z` "
    "(`2024-05-01T12:30:00Z`), as REST writes it; read with any offset.",
    specified_by_url=RFC_3339,
    serialize=serialize_datetime,
    parse_value=parse_datetime,
)

# For `StrawberryConfig.scalar_map`: the Python types these scalars stand for.
SCALARS: Mapping[object, ScalarDefinition] = {date: DATE, datetime: DATE_TIME}
