"""What the server publishes besides HTTP metrics: database pool, event bus, readiness.

All values are read at scrape time from objects that already keep them; nothing here sits on
the request path.
"""

from __future__ import annotations

from api_server.database import connection
from api_server.event_bus import EventBus
from api_server.event_bus.relay import OutboxRelay
from api_server.metrics.registry import Metrics
from api_server.metrics.sources import SourceValue
from api_server.readiness_pipeline import ReadinessService, ServingState
from api_server.shed import Shed

__all__ = ["register_app_metrics"]


def _pool_connections() -> SourceValue:
    database = connection.current_database()
    if database is None:
        return {}
    pool = database.engine.sync_engine.pool
    checked_out = int(getattr(pool, "checkedout", lambda: 0)())
    idle = int(getattr(pool, "checkedin", lambda: 0)())
    overflow = max(0, int(getattr(pool, "overflow", lambda: 0)()))
    return {("checked_out",): checked_out, ("idle",): idle, ("overflow",): overflow}


def register_app_metrics(
    metrics: Metrics,
    bus: EventBus,
    readiness: ReadinessService,
    shed: Shed,
    relay: OutboxRelay | None = None,
) -> None:
    metrics.register_gauge_source(
        "db_pool_connections",
        "Database connections of this process's pool by state",
        _pool_connections,
        labelnames=("state",),
    )
    metrics.register_counter_source(
        "event_bus_events", "Events dispatched by the event bus", lambda: bus.stats.emitted
    )
    metrics.register_counter_source(
        "event_bus_handler_runs",
        "Event handler runs by outcome",
        lambda: {
            ("success",): bus.stats.handler_successes,
            ("failure",): bus.stats.handler_failures,
        },
        labelnames=("outcome",),
    )
    metrics.register_gauge_source(
        "event_bus_pending", "Published events not yet delivered", lambda: bus.stats.pending
    )
    metrics.register_counter_source(
        "event_bus_dropped",
        "Published events dropped by a drain timeout",
        lambda: bus.stats.dropped,
    )

    def ready() -> SourceValue:
        result = readiness.last_result
        serving = readiness.state is ServingState.SERVING
        return 1 if serving and result is not None and result.is_ready else 0

    if relay is not None:
        stats = relay.stats
        metrics.register_gauge_source(
            "outbox_pending",
            "Outbox events not yet delivered (as last counted)",
            lambda: stats.pending,
        )
        metrics.register_gauge_source(
            "outbox_oldest_pending_age_seconds",
            "Age of the oldest undelivered outbox event (as last counted)",
            lambda: stats.oldest_pending_age,
        )
        metrics.register_counter_source(
            "outbox_events",
            "Outbox deliveries by outcome",
            lambda: {
                ("published",): stats.published,
                ("failed",): stats.failed,
                ("dead_lettered",): stats.dead_lettered,
            },
            labelnames=("outcome",),
        )

    metrics.register_counter_source(
        "requests_shed",
        "Requests answered 503 OVERLOADED: not let in (admission) or no database turn within "
        "the queue deadline",
        lambda: shed.count,
    )
    metrics.register_gauge_source(
        "readiness_ready", "1 when /health-check would answer 200 (last pipeline run)", ready
    )
