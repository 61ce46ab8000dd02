"""Callback metrics: other parts of the server publish values without touching middleware."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from loguru import logger
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

__all__ = ["CallbackCollector", "SourceValue"]

# A plain number, or one number per label-value tuple (labels as declared at registration).
SourceValue = float | Mapping[tuple[str, ...], float]


@dataclass(frozen=True)
class _Source:
    name: str
    documentation: str
    kind: str  # "gauge" | "counter"
    labelnames: tuple[str, ...]
    read: Callable[[], SourceValue]


class CallbackCollector:
    """A prometheus Collector that calls registered functions at scrape time.

    The functions run on the scraping request, so they must be cheap and non-blocking
    (read a counter, a pool's `checkedout()`, a cached readiness state).
    """

    def __init__(self) -> None:
        self._sources: dict[str, _Source] = {}

    def add(
        self,
        kind: str,
        name: str,
        documentation: str,
        read: Callable[[], SourceValue],
        labelnames: Sequence[str] = (),
    ) -> None:
        if name in self._sources:
            raise ValueError(f"metric source {name!r} is already registered")
        self._sources[name] = _Source(name, documentation, kind, tuple(labelnames), read)

    def describe(self) -> Iterable[Metric]:
        # Lets CollectorRegistry detect a name clash with a regular metric at registration.
        return [self._family(source) for source in self._sources.values()]

    def collect(self) -> Iterable[Metric]:
        for source in list(self._sources.values()):
            try:
                value = source.read()
            except Exception as exc:
                # One broken source must not take the whole scrape down; it is logged and
                # its metric is left out of this scrape (absent, not a made-up zero).
                logger.opt(exception=exc).warning("metric source {} failed", source.name)
                continue
            family = self._family(source)
            if isinstance(value, Mapping):
                for labels, number in value.items():
                    family.add_metric(list(labels), float(number))
            else:
                family.add_metric([], float(value))
            yield family

    @staticmethod
    def _family(source: _Source) -> GaugeMetricFamily | CounterMetricFamily:
        if source.kind == "counter":
            return CounterMetricFamily(source.name, source.documentation, labels=source.labelnames)
        return GaugeMetricFamily(source.name, source.documentation, labels=source.labelnames)
