"""FastAPI dependencies: `Security(authorize, scopes=[...])` on a route authenticates the
caller and checks the scopes; the OpenAPI document then declares the bearer scheme and the
operation's scopes (Swagger UI's Authorize button, generated clients' headers)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.openapi.models import HTTPBearer as HTTPBearerModel
from fastapi.params import Depends as DependsParam
from fastapi.security import SecurityScopes
from fastapi.security.base import SecurityBase

from api_server.auth.authenticator import Authenticator
from api_server.auth.errors import ForbiddenError, UnauthenticatedError
from api_server.auth.principal import ADMIN_SCOPE, Principal, principal_var

__all__ = [
    "SCHEME_NAME",
    "admin_or_none",
    "authenticator_of",
    "authorize",
    "authorize_request",
    "principal_of",
    "requires",
    "scope_for_methods",
]

SCHEME_NAME = "bearerAuth"
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


class BearerCredential(SecurityBase):
    """The `Authorization` header, declared as an HTTP bearer scheme in OpenAPI; parsed and
    verified by `Authenticator` (FastAPI's HTTPBearer would refuse with its own errors)."""

    def __init__(self) -> None:
        self.model = HTTPBearerModel(
            bearerFormat="API key (apisrv_...) or JWT access token",
            description="`api-server-cli auth create-key NAME --scope S` makes a key; JWT "
            "access tokens are accepted when the server is configured for an issuer.",
        )
        self.scheme_name = SCHEME_NAME

    async def __call__(self, request: Request) -> str | None:
        return request.headers.get("authorization")


bearer = BearerCredential()


def authenticator_of(request: Request) -> Authenticator:
    authenticator: Authenticator = request.app.state.authenticator
    return authenticator


def principal_of(request: Request) -> Principal | None:
    """The request's principal once authenticated (the access log names it)."""
    principal: Principal | None = getattr(request.state, "principal", None)
    return principal


async def authorize_request(request: Request, *scopes: str) -> Principal:
    """The caller of `request`, who must hold every scope of `scopes` (401, then 403)."""
    principal = await authenticator_of(request).authenticate(request.headers.get("authorization"))
    request.state.principal = principal
    principal_var.set(principal)  # events raised while serving carry it
    for scope in scopes:
        if scope not in principal.scopes:
            raise ForbiddenError(scope)
    return principal


async def authorize(
    request: Request,
    security_scopes: SecurityScopes,
    _declared: Annotated[str | None, Depends(bearer)],  # declares the scheme in OpenAPI
) -> Principal:
    """The caller, who must hold every scope the route asks for (401, then 403)."""
    return await authorize_request(request, *security_scopes.scopes)


async def admin_or_none(request: Request) -> Principal | None:
    """The caller when it sends a valid credential with the `admin` scope; None otherwise
    (public routes that show more to administrators)."""
    if "authorization" not in request.headers:
        return None
    try:
        principal = await authenticator_of(request).authenticate(request.headers["authorization"])
    except UnauthenticatedError:
        return None
    return principal if ADMIN_SCOPE in principal.scopes else None


def requires(*scopes: str) -> Any:
    """`dependencies=[requires("admin")]` on a route, or `Annotated[Principal, requires(...)]`."""
    return Security(authorize, scopes=list(scopes))


def scope_for_methods(methods: Iterable[str], *, read: str, write: str) -> str:
    """The scope a domain route needs: `read` for GET/HEAD, `write` for anything else."""
    return read if set(methods) <= _READS else write


def has_authorization(dependencies: Iterable[DependsParam]) -> bool:
    """True when a route already declares its own `authorize` dependency."""
    return any(getattr(d, "dependency", None) is authorize for d in dependencies)
