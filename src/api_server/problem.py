"""RFC 9457 problem details: the body model and the response that carries it."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from api_server.logging import request_id_var

PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class Problem(BaseModel):
    """The body of every 4xx/5xx response."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str
    code: str
    request_id: str | None = None
    errors: list[FieldError] | None = None


def problem_type(code: str) -> str:
    """A stable identifier per `code`, e.g. NOT_FOUND -> /problems/not-found."""
    return "/problems/" + code.lower().replace("_", "-")


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


def problem_response(
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    instance: str,
    extensions: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> ProblemResponse:
    body: dict[str, Any] = {
        "type": problem_type(code),
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        "code": code,
        "request_id": request_id_var.get(),
    }
    if extensions:
        body.update({k: v for k, v in extensions.items() if k not in body})
    return ProblemResponse(body, status_code=status, headers=headers)


INTERNAL_ERROR_DETAIL = "the server failed to handle this request; it has been logged"


def internal_error_response(instance: str) -> ProblemResponse:
    """The 500 problem: no traceback, SQL or driver name, ever (the log has the details)."""
    return problem_response(
        status=500,
        code="INTERNAL_ERROR",
        title="Internal Server Error",
        detail=INTERNAL_ERROR_DETAIL,
        instance=instance,
    )


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route, so OpenAPI lists its problem responses."""
    return {status: {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}} for status in statuses}
