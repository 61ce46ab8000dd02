"""`Metrics`: the server's Prometheus registry and the API other parts plug into."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from prometheus_client import (
    CollectorRegistry,
    GCCollector,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)

from api_server.metrics.http import HttpMetrics
from api_server.metrics.sources import CallbackCollector, SourceValue

__all__ = ["Metrics"]


class Metrics:
    """One registry per application, i.e. per worker process (see docs/architecture.md).

    Registered in the `ServiceRegistry`, so any part of the server can publish values:

        metrics = registry.get(Metrics)
        metrics.register_gauge_source(
            "db_pool_checked_out", "Connections in use", lambda: engine.pool.checkedout()
        )

    The callbacks run when `/metrics` is scraped, never on the request path.
    """

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)
        self._sources = CallbackCollector()
        self.registry.register(self._sources)
        self.http = HttpMetrics(self.registry)
        self.register_gauge_source(
            "http_requests_in_flight",
            "HTTP requests being handled right now",
            lambda: self.http.in_flight,
        )

    def register_gauge_source(
        self,
        name: str,
        documentation: str,
        read: Callable[[], SourceValue],
        *,
        labelnames: Sequence[str] = (),
    ) -> None:
        """Publish a gauge whose value `read()` returns at scrape time.

        Args:
            name: the metric name, e.g. `readiness_ready` (must be unique).
            documentation: the HELP text.
            read: returns a number, or `{(label values...): number}` when `labelnames` is set.
                It must be cheap and must not block; if it raises, the error is logged and
                the metric is left out of that scrape.
            labelnames: the label names of the mapping's keys, in order.
        """
        self._sources.add("gauge", name, documentation, read, labelnames)

    def register_counter_source(
        self,
        name: str,
        documentation: str,
        read: Callable[[], SourceValue],
        *,
        labelnames: Sequence[str] = (),
    ) -> None:
        """Like `register_gauge_source`, for totals that only grow (e.g. events handled by
        outcome). Prometheus appends `_total` to the name.
        """
        self._sources.add("counter", name, documentation, read, labelnames)

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)
