"""Map every error to an RFC 9457 problem response, once, for the whole app."""

from __future__ import annotations

from http import HTTPStatus
from typing import cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from loguru import logger
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from api_server.database.errors import database_api_error
from api_server.exceptions import ApiError, OverloadedError
from api_server.field_errors import field_errors, invalid_input
from api_server.problem import api_error_response, internal_error_response, problem_response
from api_server.shed import count_shed

__all__ = ["register_exception_handlers"]

_HTTP_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    408: "REQUEST_TIMEOUT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "RATE_LIMITED",
}


def _instance(request: Request) -> str:
    return request.url.path


async def _api_error(request: Request, exc: Exception) -> Response:
    exc = cast(ApiError, exc)
    # Shed requests are counted (requests_shed_total), not logged one by one: a warning per
    # request would add to the overload it reports.
    if isinstance(exc, OverloadedError):
        count_shed(request.app)
    elif exc.status >= 500:
        logger.warning("{} {}: {}", exc.status, exc.code, exc.detail)
    return api_error_response(exc, _instance(request))


async def _validation_error(request: Request, exc: Exception) -> Response:
    errors = field_errors(cast(RequestValidationError, exc).errors())
    return await _api_error(request, invalid_input(errors, what="request"))


def _undecodable_body(request: Request) -> Response:
    # FastAPI answers 400 when a JSON body is not even text (invalid UTF-8); like any other
    # malformed body, that is a 422 validation problem here, as the OpenAPI document says.
    errors = [{"loc": ["body"], "msg": "the body is not valid UTF-8 JSON", "type": "json_invalid"}]
    return problem_response(
        status=422,
        code="VALIDATION_ERROR",
        title="Validation failed",
        detail="invalid request: body",
        instance=_instance(request),
        extensions={"errors": errors},
    )


def _allowed_methods(request: Request) -> str:
    """Every method the app serves at the request's path, for a 405's `Allow` (RFC 9110).

    Starlette names the methods of the first route whose path matches, but each route here
    serves one method (`include_flat()` mounts them flat): `Allow: GET` for a path that also
    takes PATCH and DELETE.
    """
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return ", ".join(sorted(methods))


async def _http_error(request: Request, exc: Exception) -> Response:
    exc = cast(StarletteHTTPException, exc)
    status = exc.status_code
    if status == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
        return _undecodable_body(request)
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    detail = exc.detail if isinstance(exc.detail, str) else phrase
    headers = dict(exc.headers) if exc.headers else {}
    if status == 405:
        headers["Allow"] = _allowed_methods(request)
    return problem_response(
        status=status,
        code=_HTTP_CODES.get(status, f"HTTP_{status}"),
        title=phrase,
        detail=detail,
        instance=_instance(request),
        headers=headers or None,
    )


async def _database_error(request: Request, exc: Exception) -> Response:
    # The same mapping as GraphQL's (database/errors.py): 503 unavailable, 409 constraint.
    api_error = database_api_error(exc)
    if api_error is not None:
        return await _api_error(request, api_error)
    logger.opt(exception=exc).error("database error on {}", request.url.path)
    return internal_error_response(_instance(request))


def register_exception_handlers(app: FastAPI) -> None:
    """Install the problem+json handlers on `app`.

    Unexpected exceptions are turned into a 500 problem by `UnhandledErrorMiddleware`
    instead: Starlette re-raises after an `Exception` handler, which would log them twice.
    """
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(SQLAlchemyError, _database_error)
