"""GraphQL errors with the REST problem `code` in `extensions.code`.

- domain errors (`ApiError`): their `code`, `detail` and extension fields, as in REST;
- database failures: what REST answers for them (`database_api_error`): DATABASE_UNAVAILABLE,
  or CONFLICT naming the field of a violated unique constraint;
- document errors (syntax, validation, limits, bad variables): GRAPHQL_VALIDATION_FAILED,
  with graphql-core's message minus any variable value it quotes;
- anything else: INTERNAL_ERROR with a generic message, logged once with its traceback.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError
from loguru import logger
from sqlalchemy.exc import SQLAlchemyError

from api_server.database.errors import database_api_error
from api_server.exceptions import ApiError, OverloadedError
from api_server.logging import request_id_var

__all__ = [
    "QueryTimeoutError",
    "QueryTooComplexError",
    "ResponseTooLargeError",
    "classify",
    "format_error",
    "format_errors",
    "log_error",
    "operation_error",
    "release_tracebacks",
]

INTERNAL_MESSAGE = "the server failed to handle this request; it has been logged"
DOCUMENT_ERROR = "GRAPHQL_VALIDATION_FAILED"


class QueryTooComplexError(ApiError):
    status = 400
    code = "QUERY_TOO_COMPLEX"
    title = "Query too complex"

    def __init__(self, cost: int, max_cost: int) -> None:
        super().__init__(
            f"the operation may resolve {cost} fields; the limit is {max_cost}: ask for "
            "smaller pages (`first`) or fewer nested lists",
            extensions={"cost": cost, "max_cost": max_cost},
        )


class QueryTimeoutError(ApiError):
    status = 504
    code = "QUERY_TIMEOUT"
    title = "Query timeout"

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"the operation ran longer than {seconds:g} s and was stopped; a mutation stopped "
            "this way is rolled back",
            extensions={"timeout_seconds": seconds},
        )


class ResponseTooLargeError(ApiError):
    status = 500
    code = "RESPONSE_TOO_LARGE"
    title = "Response too large"

    def __init__(self, size: int, max_size: int) -> None:
        super().__init__(
            f"the response would be {size} bytes; the limit is {max_size}: ask for less",
            extensions={"size": size, "max_size": max_size},
        )


@dataclass(frozen=True)
class Classified:
    code: str
    message: str
    extensions: dict[str, Any] = field(default_factory=dict)
    unexpected: bool = False
    api_error: ApiError | None = None


def _document_message(message: str) -> str:
    # "Variable '$input' has invalid value at .sex: Value 'xyz' does not exist ..." quotes the
    # submitted value after the first ": "; the variable and the path before it are enough.
    if message.startswith("Variable '$") and "invalid value" in message:
        return message.split(": ", 1)[0]
    return message


def _api(error: ApiError) -> Classified:
    return Classified(error.code, error.detail, dict(error.extensions), api_error=error)


def classify(error: GraphQLError) -> Classified:
    original = error.original_error
    if isinstance(original, ApiError):
        return _api(original)
    if isinstance(original, SQLAlchemyError | OSError):
        # The same mapping as REST's (database/errors.py): 503 unavailable, 409 constraint.
        api_error = database_api_error(original)
        if api_error is not None:
            return _api(api_error)
    if error.path is None and (original is None or isinstance(original, GraphQLError)):
        return Classified(DOCUMENT_ERROR, _document_message(error.message))
    if error.path is None and isinstance(original, ValueError | RecursionError):
        # Raised while validating the document itself: an Int literal too long to convert,
        # a value nested too deeply. The client's document, not a server fault.
        return Classified(DOCUMENT_ERROR, "a value in the document cannot be read")
    # A resolver bug, or a non-null field that resolved to null: the server's fault.
    return Classified("INTERNAL_ERROR", INTERNAL_MESSAGE, unexpected=True)


# graphql-core's "Did you mean 'patient'?" endings list names of the schema.
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def format_error(error: GraphQLError, *, suggestions: bool = True) -> dict[str, Any]:
    """The JSON of one error: message, locations, path, extensions (code first).

    `suggestions=False` drops "Did you mean ...?": with introspection off, they would
    disclose the schema one guess at a time.
    """
    found = classify(error)
    message = found.message
    if not suggestions and found.code == DOCUMENT_ERROR:
        message = _SUGGESTION.sub("", message)
    formatted: dict[str, Any] = {"message": message}
    if error.locations:
        formatted["locations"] = [{"line": x.line, "column": x.column} for x in error.locations]
    if error.path is not None:
        formatted["path"] = error.path
    formatted["extensions"] = {
        "code": found.code,
        **found.extensions,
        "request_id": request_id_var.get(),
    }
    return formatted


def format_errors(errors: list[GraphQLError], *, suggestions: bool) -> list[dict[str, Any]]:
    """The JSON of each error of a response (`format_error`), which is then their last use:
    their tracebacks are released (`release_tracebacks`)."""
    formatted = [format_error(error, suggestions=suggestions) for error in errors]
    release_tracebacks(errors)
    return formatted


def log_error(error: GraphQLError) -> None:
    """Log once: unexpected errors with their traceback, unavailability as a warning. Shed
    operations (OVERLOADED) are counted (`requests_shed_total`), not logged one by one, as
    REST's are: a warning per request would add to the overload it reports."""
    found = classify(error)
    if isinstance(found.api_error, OverloadedError):
        return
    if found.unexpected:
        cause = error.original_error or error
        logger.opt(exception=cause).error(
            "GraphQL error at {}: {}", ".".join(map(str, error.path or ())), type(cause).__name__
        )
    elif found.api_error is not None and found.api_error.status >= 500:
        logger.warning("GraphQL {}: {}", found.code, found.message)


def operation_error(error: ApiError) -> dict[str, Any]:
    """The response body of an operation stopped as a whole by `error`: no data, one error."""
    return {
        "data": None,
        "errors": [format_error(GraphQLError(error.detail, original_error=error))],
    }


def release_tracebacks(errors: Iterable[BaseException]) -> None:
    """Drop the tracebacks of answered errors and of what caused them.

    A traceback holds the frames the error went through, whose variables hold the executor
    and context, which hold the error: a reference cycle that keeps the whole request alive
    until a full collection, hundreds of requests later under a flood of bad operations. Call
    once the errors are logged (`log_error`, during execution) and formatted.
    """
    pending, seen = list(errors), set()
    while pending:
        error = pending.pop()
        if id(error) in seen:
            continue
        seen.add(id(error))
        error.__traceback__ = None
        for linked in (getattr(error, "original_error", None), error.__cause__, error.__context__):
            if isinstance(linked, BaseException):
                pending.append(linked)
        if isinstance(error, BaseExceptionGroup):
            pending.extend(error.exceptions)
