"""OpenAPI operationIds: the route function's name in camelCase (`list_patients` -> `listPatients`).

FastAPI's default id embeds the path and the method (`list_patients_api_v1_patients_get`), so it
changes whenever a prefix or a path does, and generated clients name their methods after it.
`create_app()` mounts every router of ours with `operation_id` as its
`generate_unique_id_function`, so a new domain's routes get short ids with no code of their own
(a route may still set `operation_id=` itself). The GraphQL routes keep Strawberry's.

`verify_operation_ids(app)` runs while the app is built: two operations with one id, or an
OpenAPI link (`api/links.py`) naming an operation that does not exist, fail the build.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.routing import APIRoute

__all__ = [
    "DuplicateOperationIdError",
    "UnknownLinkTargetError",
    "operation_id",
    "verify_operation_ids",
]


class DuplicateOperationIdError(ValueError):
    """Two operations of one app would share an operationId."""


class UnknownLinkTargetError(ValueError):
    """An OpenAPI link names an operationId no operation of the app has."""


def operation_id(route: APIRoute) -> str:
    """`route.name` (the endpoint function's name unless `name=` was given) in camelCase."""
    first, *rest = route.name.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


def _operations(app: FastAPI) -> Iterator[tuple[str, str, APIRoute]]:
    # The operationId FastAPI writes into the document: one per method of a route.
    for route in app.routes:
        if isinstance(route, APIRoute) and route.include_in_schema:
            for method in sorted(route.methods or ()):
                yield route.operation_id or route.unique_id, f"{method} {route.path}", route


def verify_operation_ids(app: FastAPI) -> None:
    """Raise when two operations share an operationId or a link names an unknown one.

    FastAPI only warns about a duplicate, and only when the document is first built; a
    duplicate breaks links, client generators and schemathesis's stateful phase silently.
    """
    seen: dict[str, str] = {}
    for key, label, _ in _operations(app):
        if key in seen:
            raise DuplicateOperationIdError(
                f"operationId {key!r} is used by {seen[key]} and {label}: "
                "rename one route function or give it operation_id="
            )
        seen[key] = label
    for _, label, route in _operations(app):
        for status, response in route.responses.items():
            for name, link in response.get("links", {}).items():
                target = link.get("operationId")
                if target is not None and target not in seen:
                    raise UnknownLinkTargetError(
                        f"link {name!r} of {label} {status} names operationId {target!r}, "
                        "which no operation has"
                    )
