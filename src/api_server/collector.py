"""Garbage-collector tuning for a server process: pausing collections while long-lived
objects are built (imports, `create_app()`), then freezing them (docs/performance.md)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["GC_GEN0_THRESHOLD", "gc_paused", "tune_garbage_collector"]

GC_GEN0_THRESHOLD = 10_000


@contextmanager
def gc_paused() -> Iterator[None]:
    """No automatic collections inside the block (the previous state is restored after)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def tune_garbage_collector() -> None:
    """See `Settings.gc_tune`. Freezes what start-up built (no full collection first: it
    finds little and delays readiness) and collects the young generation less often."""
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GC_GEN0_THRESHOLD, gen1, gen2)
