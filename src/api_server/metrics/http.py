"""HTTP request metrics: count and latency by method, route template and status."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram

__all__ = ["UNMATCHED_ROUTE", "HttpMetrics"]

# Label for requests no route matched (404s, slash redirects): raw paths would let any
# client create unbounded label values.
UNMATCHED_ROUTE = "<unmatched>"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class HttpMetrics:
    """Request counter, latency histogram and an in-flight count (read by a gauge source)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        labels = ("method", "route", "status")
        self._requests = Counter(
            "http_requests", "HTTP requests handled", labels, registry=registry
        )
        self._latency = Histogram(
            "http_request_duration_seconds",
            "Time from receiving a request to its response being sent",
            labels,
            buckets=_BUCKETS,
            registry=registry,
        )
        self.in_flight = 0
        # labels() takes a lock and validates on every call; the children are cached instead.
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe(self, method: str, route: str | None, status: int, seconds: float) -> None:
        if method not in _METHODS:
            method = "OTHER"
        key = (method, route or UNMATCHED_ROUTE, status)
        children = self._children.get(key)
        if children is None:
            labels = (method, key[1], str(status))
            children = (self._requests.labels(*labels), self._latency.labels(*labels))
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)
