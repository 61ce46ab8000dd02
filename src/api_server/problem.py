"""RFC 9457 problem details: the body model and the response that carries it."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api_server.exceptions import ApiError
from api_server.logging import request_id_var

PROBLEM_MEDIA_TYPE = "application/problem+json"


class Problem(BaseModel):
    """RFC 9457 problem details: the body of every 4xx/5xx response. `code` says which
    problem it is; the problems with members of their own are typed (`problem_types.py`)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="`/problems/` and the code in kebab case: /problems/not-found")
    title: str = Field(description="The problem's name; the same for every occurrence of a code.")
    status: int = Field(description="The HTTP status of the response.")
    detail: str = Field(description="What went wrong this time, for people; never a secret.")
    instance: str = Field(description="The path of the request.")
    code: str = Field(
        description="Stable and machine-readable: NOT_FOUND, VERSION_CONFLICT, CONFLICT, "
        "PRECONDITION_FAILED, VALIDATION_ERROR, UNAUTHENTICATED, FORBIDDEN, PAYLOAD_TOO_LARGE, "
        "REQUEST_TIMEOUT, "
        "INVALID_HOST, METHOD_NOT_ALLOWED, DATABASE_UNAVAILABLE, INTERNAL_ERROR, ..."
    )
    request_id: str | None = Field(
        default=None, description="The request's `X-Request-ID`, to quote when reporting it."
    )


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


def api_error_response(error: ApiError, instance: str) -> ProblemResponse:
    """The problem response of an `ApiError` (its status, code, title, detail, extension
    members and headers)."""
    return problem_response(
        status=error.status,
        code=error.code,
        title=error.title,
        detail=error.detail,
        instance=instance,
        extensions=error.extensions,
        headers=error.headers,
    )


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
    """`responses=` for a route: the problems its own logic raises (404, 409, 412, ...).
    `openapi.py` gives each its typed schema and adds those the framework answers (401,
    403, 413, 422, 500, 503, ...), so a route lists no more than these."""
    return {status: {"content": {PROBLEM_MEDIA_TYPE: {}}} for status in statuses}
