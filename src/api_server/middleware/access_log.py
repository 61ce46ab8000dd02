"""One structured access log line per request, sampled, errors always kept."""

from __future__ import annotations

import random

from starlette.types import Scope

from api_server.logging import write_access_line

__all__ = ["AccessLog"]


class AccessLog:
    """Writes `GET /api/v1/patients/{patient_id} 200 1.234ms` with the fields bound as
    `extra` (method, route, status, duration_ms, client, principal: who called, never the
    credential; request_id comes from the context),
    so the JSON sink emits them as keys.

    `sample_rate` (0..1) keeps that share of the lines; responses with status >= 500 are
    always written.
    """

    def __init__(self, sample_rate: float = 1.0) -> None:
        if not 0.0 <= sample_rate <= 1.0:
            raise ValueError("sample_rate must be within 0..1")
        self.sample_rate = sample_rate

    def keep(self, status: int) -> bool:
        rate = self.sample_rate
        if rate >= 1.0 or status >= 500:
            return True
        # Sampling, not security: the stdlib PRNG is what is wanted here.
        return rate > 0.0 and random.random() < rate  # noqa: S311

    def record(self, scope: Scope, route: str | None, status: int, seconds: float) -> None:
        if not self.keep(status):
            return
        if route is None:
            # No route matched: the raw path, still percent-encoded (no control characters),
            # and never the query string, which may carry tokens.
            route = scope.get("raw_path", b"").decode("latin-1") or scope["path"]
        client = scope.get("client")
        principal = scope.get("state", {}).get("principal")
        write_access_line(
            scope["method"],
            route,
            status,
            round(seconds * 1000, 3),
            client[0] if client else None,
            principal.label if principal is not None else None,
        )
