"""Reject requests whose `Host` header is not one of the trusted hosts."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.types import ASGIApp, Receive, Scope, Send

from api_server.problem import problem_response

__all__ = ["TrustedHostMiddleware"]


def _host_of(scope: Scope) -> str:
    for key, value in scope["headers"]:
        if key == b"host":
            host: str = value.decode("latin-1")
            # Strip the port; keep an IPv6 literal's brackets.
            if host.startswith("["):
                return host.split("]", 1)[0] + "]"
            return host.rsplit(":", 1)[0] if ":" in host else host
    return ""


# Probes name the pod by address or as localhost (Kubernetes, the Dockerfile's HEALTHCHECK):
# GET and HEAD of liveness and readiness answer whatever the Host. They return no URL and set
# no cookie, so a forged Host has nothing to poison there. POST /health-check (a forced
# re-run) is not a probe: it stays behind the check.
PROBE_PATHS = frozenset({"/ping", "/health-check"})


class TrustedHostMiddleware:
    """Like Starlette's TrustedHostMiddleware (same `*.example.com` patterns) but the
    rejection is a 400 `INVALID_HOST` problem, like every other error of this server, and
    the probe paths (`/ping`, `/health-check`) are exempt. Install it only when the list is
    not `["*"]`.
    """

    def __init__(self, app: ASGIApp, allowed_hosts: Sequence[str]) -> None:
        self.app = app
        self.exact = frozenset(h.lower() for h in allowed_hosts if not h.startswith("*."))
        # "*.example.com" -> ".example.com": matches subdomains, not example.com itself.
        self.suffixes = tuple(h[1:].lower() for h in allowed_hosts if h.startswith("*."))

    def is_allowed(self, host: str) -> bool:
        host = host.lower()
        return host in self.exact or (bool(self.suffixes) and host.endswith(self.suffixes))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] not in ("http", "websocket")
            or (scope["path"] in PROBE_PATHS and scope.get("method") in ("GET", "HEAD"))
            or self.is_allowed(_host_of(scope))
        ):
            await self.app(scope, receive, send)
            return
        response = problem_response(
            status=400,
            code="INVALID_HOST",
            title="Bad Request",
            detail="the Host header names a host this server does not serve",
            instance=scope["path"],
        )
        await response(scope, receive, send)
