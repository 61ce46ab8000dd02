"""Prometheus metrics: HTTP request metrics and callback sources for other components."""

from api_server.metrics.http import UNMATCHED_ROUTE, HttpMetrics
from api_server.metrics.registry import Metrics
from api_server.metrics.sources import SourceValue

__all__ = ["UNMATCHED_ROUTE", "HttpMetrics", "Metrics", "SourceValue"]
