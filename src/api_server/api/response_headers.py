"""The headers a success response carries, declared beside the route's problems and links.

    responses=merged(
        problem_responses(409),
        headers(201, LOCATION, ETAG),
        links(201, link("getClinic", path={"clinic_id": ID})),
    )

`merged()` combines `responses=` parts per status (a plain `|` would let the second 201 entry
replace the first). Headers of problem responses (`Retry-After`, `WWW-Authenticate`) are
documented by `openapi_problems.py`, which knows when the server sends them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["ETAG", "LOCATION", "headers", "merged"]

Header = Mapping[str, dict[str, Any]]

ETAG: Header = {
    "ETag": {
        "description": 'The resource\'s version as a strong entity tag, `"v<version>"`; send it '
        "back in `If-Match` to change the resource only if no one else has.",
        "required": True,
        "schema": {"type": "string", "pattern": '^"v[0-9]+"$'},
    }
}
LOCATION: Header = {
    "Location": {
        "description": "The path of the new resource.",
        "required": True,
        "schema": {"type": "string", "format": "uri-reference"},
    }
}


def headers(status: int, *declared: Header) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry saying that the `status` response carries `declared`."""
    combined: dict[str, Any] = {}
    for header in declared:
        combined.update(header)
    return {status: {"headers": combined}}


def merged(*parts: Mapping[int | str, dict[str, Any]]) -> dict[int | str, dict[str, Any]]:
    """`responses=` parts combined: the entries for one status merged key by key."""
    result: dict[int | str, dict[str, Any]] = {}
    for part in parts:
        for status, entry in part.items():
            into = result.setdefault(status, {})
            for key, value in entry.items():
                if isinstance(value, dict) and isinstance(into.get(key), dict):
                    into[key] = {**into[key], **value}
                else:
                    into[key] = value
    return result
