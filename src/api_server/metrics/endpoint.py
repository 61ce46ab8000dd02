"""`GET /metrics` in the Prometheus text format."""

from __future__ import annotations

from fastapi import FastAPI
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import Response

from api_server.auth.dependencies import authorize_request
from api_server.auth.principal import ADMIN_SCOPE
from api_server.metrics.registry import Metrics

__all__ = ["METRICS_PATH", "install_metrics_endpoint"]

METRICS_PATH = "/metrics"


def install_metrics_endpoint(app: FastAPI, metrics: Metrics) -> None:
    """Serve `metrics` at /metrics (kept out of the OpenAPI schema) to callers with the
    `admin` scope."""

    async def metrics_endpoint(request: Request) -> Response:
        await authorize_request(request, ADMIN_SCOPE)
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)

    app.add_route(METRICS_PATH, metrics_endpoint, methods=["GET"], include_in_schema=False)
