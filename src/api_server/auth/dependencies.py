"""FastAPI dependencies: `requires("scope", ...)` on a route authenticates the caller and
checks the scopes; the OpenAPI document then declares the bearer scheme and the
operation's scopes (Swagger UI's Authorize button, generated clients' headers)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from fastapi import Request, Response, Security
from fastapi.openapi.models import HTTPBearer as HTTPBearerModel
from fastapi.params import Depends as DependsParam
from fastapi.routing import APIRoute
from fastapi.security.base import SecurityBase

from api_server.auth.authenticator import Authenticator
from api_server.auth.errors import ForbiddenError, UnauthenticatedError
from api_server.auth.principal import ADMIN_SCOPE, Principal, principal_var
from api_server.exceptions import DatabaseUnavailableError

__all__ = [
    "SCHEME_NAME",
    "admin_or_none",
    "BearerAuth",
    "authenticator_of",
    "authorize_request",
    "guarded_options",
    "principal_of",
    "requires",
    "scope_for_methods",
]

SCHEME_NAME = "bearerAuth"
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


class BearerAuth(SecurityBase):
    """A route's guard: authenticates the `Authorization` header and checks `scopes`.

    Declared to OpenAPI as the HTTP bearer scheme `bearerAuth` (with the scopes, through
    `Security(..., scopes=...)`); at run time a dependency with the request as its only
    parameter, the cheapest FastAPI resolves (FastAPI's HTTPBearer would also refuse with
    its own errors).
    """

    def __init__(self, scopes: tuple[str, ...]) -> None:
        self.scopes = scopes
        self.model = HTTPBearerModel(
            bearerFormat="API key (apisrv_...) or JWT access token",
            description="`api-server-cli auth create-key NAME --scope S` makes a key; JWT "
            "access tokens are accepted when the server is configured for an issuer.",
        )
        self.scheme_name = SCHEME_NAME

    async def __call__(self, request: Request) -> Principal:
        return await authorize_request(request, *self.scopes)


_guards: dict[tuple[str, ...], BearerAuth] = {}


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


async def admin_or_none(request: Request) -> Principal | None:
    """The caller when it sends a valid credential with the `admin` scope; None otherwise
    (public routes that show more to administrators), also when an API key cannot be looked
    up now: the public answer (the readiness body, which says the database is down) rather
    than a 503 problem the route does not document."""
    if "authorization" not in request.headers:
        return None
    try:
        principal = await authenticator_of(request).authenticate(request.headers["authorization"])
    except (UnauthenticatedError, DatabaseUnavailableError):
        return None
    return principal if ADMIN_SCOPE in principal.scopes else None


def requires(*scopes: str) -> Any:
    """`dependencies=[requires("admin")]` on a route, or `Annotated[Principal, requires(...)]`:
    the caller must hold every scope of `scopes` (none: any authenticated caller)."""
    guard = _guards.get(scopes)
    if guard is None:
        guard = _guards[scopes] = BearerAuth(scopes)  # one per scope set: one OpenAPI entry
    return Security(guard, scopes=list(scopes))


def guarded_options(options: dict[str, Any], *scopes: str) -> dict[str, Any]:
    """`add_api_route()` options for a route that needs `scopes`, checked before FastAPI
    reads the request (so an anonymous caller gets 401 before any 422), and declared in the
    OpenAPI document as `requires(*scopes)` would. For the composition root, which puts
    every domain route behind its domain's scope; a route's own `requires()` comes first."""
    base = options.get("route_class_override") or APIRoute
    extra = dict(options.get("openapi_extra") or {})
    extra["security"] = [{SCHEME_NAME: list(scopes)}]
    return {**options, "route_class_override": _guarded(base, scopes), "openapi_extra": extra}


_guarded_classes: dict[tuple[type[APIRoute], tuple[str, ...]], type[APIRoute]] = {}


def _guarded(base: type[APIRoute], scopes: tuple[str, ...]) -> type[APIRoute]:
    known = _guarded_classes.get((base, scopes))
    if known is not None:
        return known

    class GuardedRoute(base):  # type: ignore[valid-type,misc]
        """`base`, whose handler first authorizes the request (one coroutine call: a
        FastAPI dependency per request costs about twenty times more)."""

        guarded_by = scopes
        unguarded = base

        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def guarded(request: Request) -> Response:
                await authorize_request(request, *scopes)
                response: Response = await handler(request)
                return response

            return guarded

    _guarded_classes[(base, scopes)] = GuardedRoute
    return GuardedRoute


def scope_for_methods(methods: Iterable[str], *, read: str, write: str) -> str:
    """The scope a domain route needs: `read` for GET/HEAD, `write` for anything else."""
    return read if set(methods) <= _READS else write


def has_authorization(dependencies: Iterable[DependsParam]) -> bool:
    """True when a route already declares its own `requires(...)`."""
    return any(isinstance(getattr(d, "dependency", None), BearerAuth) for d in dependencies)
