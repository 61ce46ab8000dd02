"""The middleware stack, in one place. `install_middleware(app, settings)` is called once by
`create_app()`.

Order, outermost first (a request passes them top to bottom, the response bottom to top):

1. EdgeMiddleware             request id (every response and log line below carries it),
                              security headers on every response (rejections and 500s
                              included), access log + metrics (sees the final status of
                              everything below), the request's arrival time; one middleware,
                              as it sits on every request
   AdmissionGate              at most max_in_flight requests inside, the rest wait FIFO
                              within the queue deadline, else 503 OVERLOADED (probes and
                              /metrics pass); before any work is spent on a request
2. TrustedHostMiddleware      bad Host => 400 problem (only when trusted_hosts is not `*`)
3. CORSMiddleware             Starlette's; preflights answered here (only with cors_origins)
4. BodySizeLimitMiddleware    413 problem; outside CORS would hide the 413 from browser JS
5. UnhandledErrorMiddleware   innermost: any exception => logged 500 problem

With the graphql profile, `install_graphql()` adds one more, outside all of these:
`graphql.problem_bodies.GraphQLProblemBodies`, which re-encodes every problem answered at
/graphql (by any of the above, the auth guard or the router) as a GraphQL response.

Starlette's own ServerErrorMiddleware stays outermost (it only acts if a middleware above
itself fails) and its ExceptionMiddleware sits below this stack, in front of the routes.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from api_server.metrics import Metrics
from api_server.metrics.endpoint import METRICS_PATH, install_metrics_endpoint
from api_server.middleware.access_log import AccessLog
from api_server.middleware.admission import AdmissionGate
from api_server.middleware.body_limit import BodySizeLimitMiddleware
from api_server.middleware.edge import EdgeMiddleware
from api_server.middleware.request_id import REQUEST_ID_HEADER
from api_server.middleware.trusted_host import PROBE_PATHS, TrustedHostMiddleware
from api_server.middleware.unhandled_errors import UnhandledErrorMiddleware
from api_server.settings import Settings
from api_server.shed import Shed

__all__ = ["install_middleware"]

CORS_ALLOW_HEADERS = ("Authorization", "Content-Type", "If-Match", "If-None-Match", "X-Request-ID")
CORS_EXPOSE_HEADERS = ("ETag", "Location", "Retry-After", REQUEST_ID_HEADER)


def install_middleware(app: FastAPI, settings: Settings) -> None:
    """Install the middleware stack and the /metrics endpoint according to `settings`."""
    # add_middleware() puts each new middleware outside the previous one: innermost first.
    app.add_middleware(UnhandledErrorMiddleware)
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_body_size=settings.max_body_size,
        read_timeout=settings.body_read_timeout,
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=settings.cors_allow_credentials,
            allow_methods=["*"],
            allow_headers=CORS_ALLOW_HEADERS,
            expose_headers=CORS_EXPOSE_HEADERS,
        )
    if "*" not in settings.trusted_hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.trusted_hosts)

    if settings.max_in_flight > 0:
        app.add_middleware(
            AdmissionGate,
            limit=settings.max_in_flight,
            deadline=settings.queue_deadline,
            shed=app.state.registry.get(Shed),
            exempt_paths=(*PROBE_PATHS, METRICS_PATH),
        )
    metrics: Metrics = app.state.registry.get(Metrics)
    access_log = AccessLog(settings.access_log_sample_rate) if settings.access_log else None
    if settings.metrics_enabled:
        install_metrics_endpoint(app, metrics)
    app.add_middleware(
        EdgeMiddleware,
        access_log=access_log,
        metrics=metrics.http if settings.metrics_enabled else None,
        # Scrapes every few seconds would drown the access log and skew the latency.
        exclude_paths=(METRICS_PATH,),
    )
