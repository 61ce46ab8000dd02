from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from api_server.ids import uuid7


def test_version_and_variant_are_rfc_9562() -> None:
    value = uuid7()
    assert isinstance(value, uuid.UUID)
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert str(value)[14] == "7"


def test_timestamp_is_the_current_unix_millisecond() -> None:
    before = time.time_ns() // 1_000_000
    value = uuid7()
    after = time.time_ns() // 1_000_000
    assert before <= value.int >> 80 <= after


def test_100k_values_are_unique_and_strictly_increasing() -> None:
    values = [uuid7() for _ in range(100_000)]
    assert len(set(values)) == len(values)
    # Sorting by value, by string and by bytes all give creation order.
    assert values == sorted(values)
    assert [str(v) for v in values] == sorted(str(v) for v in values)
    assert [v.bytes for v in values] == sorted(v.bytes for v in values)


def test_unique_across_threads() -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        chunks = list(pool.map(lambda _: [uuid7() for _ in range(5_000)], range(8)))
    everything = [v for chunk in chunks for v in chunk]
    assert len(set(everything)) == len(everything)
    for chunk in chunks:
        assert chunk == sorted(chunk)


def test_values_keep_increasing_when_the_clock_steps_back(monkeypatch: pytest.MonkeyPatch) -> None:
    first = uuid7()
    earlier = ((first.int >> 80) - 5_000) * 1_000_000  # five seconds in the past
    monkeypatch.setattr(time, "time_ns", lambda: earlier)
    later = [uuid7() for _ in range(1_000)]
    assert [first, *later] == sorted({first, *later})
