"""OpenAPI links (OAS 3.1 Link Object): which operations a success response leads to, and how.

A link names its target by operationId (`api/operation_ids.py`) and fills the target's path
parameters, headers and body from the response with runtime expressions (`ID` is
`$response.body#/id`). Clients read them as "what can I do next"; schemathesis's stateful
phase follows them, so it updates and deletes the resources it has just created instead of
guessing ids that never exist. A route declares them once, beside its problem responses:

    responses=problem_responses(409, 422, 503) | links(
        201,
        link("getClinic", path={"clinic_id": ID}),
        link("updateClinic", path={"clinic_id": ID}, headers=IF_MATCH, body={"version": VERSION}),
    )

`create_app()` fails when a link names an operationId that no operation has. A `None` in
`body` would be dropped from the document (FastAPI leaves out every null), so a link cannot
send one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["ETAG", "ID", "IF_MATCH", "VERSION", "link", "links"]

ID = "$response.body#/id"
VERSION = "$response.body#/version"
ETAG = "$response.header.ETag"
# The precondition of a versioned update or delete: the ETag the response carried.
IF_MATCH: Mapping[str, str] = {"if-match": ETAG}


def link(
    operation_id: str,
    *,
    path: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    body: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A Link Object to `operation_id`: `path` and `headers` map the target's parameter names
    (as the document spells them, e.g. `if-match`) to expressions or constants; `body` holds
    the request body fields to set (the others are the client's)."""
    parameters = {f"path.{name}": value for name, value in (path or {}).items()}
    parameters |= {f"header.{name}": value for name, value in (headers or {}).items()}
    definition: dict[str, Any] = {"operationId": operation_id}
    if parameters:
        definition["parameters"] = parameters
    if body:
        definition["requestBody"] = dict(body)
    return definition


def links(status: int, *targets: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry adding `targets` to the `status` response, each link named after
    the operationId it leads to."""
    named = {target["operationId"]: target for target in targets}
    if len(named) != len(targets):
        raise ValueError(f"two links of the {status} response lead to one operation")
    return {status: {"links": named}}
