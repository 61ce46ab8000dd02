"""The two answers of authentication and authorization, as problems (RFC 9457) with the
`WWW-Authenticate` challenge of RFC 6750."""

from __future__ import annotations

from api_server.exceptions import ApiError

__all__ = ["ForbiddenError", "InvalidTokenError", "UnauthenticatedError"]


class UnauthenticatedError(ApiError):
    """401: no credential, or one that is not valid (malformed, unknown, expired, revoked).

    `invalid` is True when a credential was sent: the challenge then says
    `error="invalid_token"`. `detail` says why in words that never repeat the credential.
    """

    status = 401
    code = "UNAUTHENTICATED"
    title = "Unauthenticated"

    def __init__(self, detail: str, *, invalid: bool) -> None:
        challenge = 'Bearer realm="api-server"'
        if invalid:
            description = detail.replace('"', "'")
            challenge += f', error="invalid_token", error_description="{description}"'
        super().__init__(detail, headers={"WWW-Authenticate": challenge})


class ForbiddenError(ApiError):
    """403: a valid credential without the scope the operation needs."""

    status = 403
    code = "FORBIDDEN"
    title = "Forbidden"

    def __init__(self, scope: str, *, what: str = "this operation") -> None:
        super().__init__(
            f"{what} needs the scope {scope}",
            extensions={"required_scope": scope},
            headers={
                "WWW-Authenticate": (
                    f'Bearer realm="api-server", error="insufficient_scope", scope="{scope}"'
                )
            },
        )


class InvalidTokenError(Exception):
    """Raised by verifiers (API keys, JWTs) for a credential that is not valid; the message
    is the reason a client may read (never the token, nor a claim's value)."""
