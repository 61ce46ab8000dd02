"""The latency of the requests the server served (2xx), from its own `/metrics`.

wrk's percentiles mix every answer: under overload they include the 503 OVERLOADED answers,
each of which waited out the queue deadline. SPEC 12 (and issue 21) asks for the p99 of the
*served* requests. The server's `http_request_duration_seconds` histogram is labelled by
route and status, so the difference of two scrapes around a run gives the served requests'
distribution; the quantile is interpolated within its bucket as Prometheus'
`histogram_quantile()` does (an estimate: the buckets are 0.25, 0.5, 1, 2.5 s around the
deadline). Time spent before the app sees a request (the kernel's accept queue) is not in
it; at 256 connections uvicorn has read every request it holds.
"""

from __future__ import annotations

import http.client
import math
from collections import defaultdict

from prometheus_client.parser import text_string_to_metric_families

Buckets = dict[float, float]  # upper bound ("le") -> cumulative count


def scrape(port: int, authorization: str, route: str) -> Buckets:
    """Cumulative 2xx counts of `route` per latency bucket, summed over methods."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/metrics", headers={"Authorization": authorization})
        response = connection.getresponse()
        text = response.read().decode()
        if response.status != 200:
            raise RuntimeError(f"/metrics answered {response.status}: {text[:200]}")
    finally:
        connection.close()
    buckets: Buckets = defaultdict(float)
    for family in text_string_to_metric_families(text):
        if family.name != "http_request_duration_seconds":
            continue
        for sample in family.samples:
            labels = sample.labels
            if (
                sample.name.endswith("_bucket")
                and labels.get("route") == route
                and labels.get("status", "").startswith("2")
            ):
                buckets[float(labels["le"])] += sample.value
    return dict(buckets)


def quantile(before: Buckets, after: Buckets, q: float) -> tuple[float, int]:
    """(the q-quantile in seconds, how many requests) of what was served between scrapes."""
    bounds = sorted(after)
    counts = [after[b] - before.get(b, 0.0) for b in bounds]
    total = counts[-1] if counts else 0.0
    if total <= 0:
        return math.nan, 0
    rank = q * total
    lower_bound, lower_count = 0.0, 0.0
    for bound, count in zip(bounds, counts, strict=True):
        if count >= rank:
            if math.isinf(bound):
                return lower_bound, int(total)  # beyond the last bucket: its lower bound
            share = (rank - lower_count) / (count - lower_count) if count > lower_count else 1
            return lower_bound + (bound - lower_bound) * share, int(total)
        lower_bound, lower_count = bound, count
    return bounds[-1], int(total)
