"""Domain errors. Each carries its HTTP status and a stable `code`; they are mapped once to
RFC 9457 problem responses by `exception_handlers.register_exception_handlers(app)` and to
GraphQL `extensions.code`. Services raise these, never `HTTPException`.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "ApiError",
    "DatabaseUnavailableError",
    "OverloadedError",
    "PayloadTooLargeError",
    "PreconditionFailedError",
    "ResourceConflictError",
    "ResourceNotFoundError",
    "ServiceUnavailableError",
    "ValidationFailedError",
    "VersionConflictError",
]


class ApiError(Exception):
    """Base of every error that becomes a problem response.

    Subclasses set `status`, `code` and `title`; `detail` is the human sentence for this
    occurrence and `extensions` adds machine-readable members (never secrets or input values).
    """

    status: ClassVar[int] = 500
    code: ClassVar[str] = "INTERNAL_ERROR"
    title: ClassVar[str] = "Internal Server Error"

    def __init__(
        self,
        detail: str,
        *,
        extensions: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions or {}
        self.headers = headers or {}


class ResourceNotFoundError(ApiError):
    status = 404
    code = "NOT_FOUND"
    title = "Resource not found"

    def __init__(self, resource: str, key: object) -> None:
        super().__init__(
            f"{resource} {key} does not exist", extensions={"resource": resource, "key": str(key)}
        )


class VersionConflictError(ApiError):
    """Optimistic locking: the client edited an older version than the stored one."""

    status = 409
    code = "VERSION_CONFLICT"
    title = "Version conflict"

    def __init__(self, resource: str, key: object, *, expected: int, current: int) -> None:
        super().__init__(
            f"{resource} {key} is at version {current}, the request expected version {expected}",
            extensions={"expected_version": expected, "current_version": current},
        )
        self.expected = expected
        self.current = current


class ResourceConflictError(ApiError):
    """A uniqueness rule would be broken (e.g. a duplicate human-facing identifier)."""

    status = 409
    code = "CONFLICT"
    title = "Conflict"


class PreconditionFailedError(ApiError):
    """An `If-Match` header did not match the current ETag."""

    status = 412
    code = "PRECONDITION_FAILED"
    title = "Precondition failed"


class ValidationFailedError(ApiError):
    """A business rule rejected otherwise well-formed input.

    `extensions["errors"]` always lists the refused inputs (`field_errors.py`'s shape): empty
    when no single one is to blame, so a client reads one shape for every 422.
    """

    status = 422
    code = "VALIDATION_ERROR"
    title = "Validation failed"

    def __init__(self, detail: str, *, extensions: dict[str, Any] | None = None) -> None:
        super().__init__(detail, extensions={"errors": [], **(extensions or {})})


class PayloadTooLargeError(ApiError):
    status = 413
    code = "PAYLOAD_TOO_LARGE"
    title = "Request body too large"


class ServiceUnavailableError(ApiError):
    status = 503
    code = "SERVICE_UNAVAILABLE"
    title = "Service unavailable"

    def __init__(self, detail: str, *, retry_after: int = 1) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})


class OverloadedError(ServiceUnavailableError):
    """A request waited past the queue deadline for a database turn: shed, to retry shortly,
    rather than left to the client's timeout."""

    code = "OVERLOADED"
    title = "Overloaded"


class DatabaseUnavailableError(ServiceUnavailableError):
    """The database cannot be reached, timed out, or the pool is exhausted."""

    code = "DATABASE_UNAVAILABLE"
    title = "Database unavailable"
