"""Identifiers: RFC 9562 UUID version 7 (time-ordered), on every supported Python.

Layout (128 bits, most significant first):

    unix_ts_ms (48) | ver=7 (4) | rand_a (12) | var=0b10 (2) | rand_b (62)

Monotonicity within one millisecond uses RFC 9562 section 6.2 "method 1": the 12 bits of
`rand_a` and the top 30 bits of `rand_b` form a 42-bit counter, seeded randomly (top bit
clear, so it has room to grow) on each new millisecond and incremented on every call within
it. The last 32 bits are fresh randomness on every call. If the counter overflows, or the wall
clock steps backwards, the timestamp is carried forward so values never go backwards within
a process.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

__all__ = ["uuid7"]

_COUNTER_BITS = 42
_COUNTER_MAX = (1 << _COUNTER_BITS) - 1
_SEED_MASK = (1 << (_COUNTER_BITS - 1)) - 1  # top counter bit clear: room for increments
_RAND_B_COUNTER_BITS = 30
_TAIL_BITS = 32
_VERSION_7 = 0x7 << 76
_VARIANT_RFC = 0b10 << 62


class _Clock:
    """Last timestamp and counter handed out; guarded by a lock (threads share it)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last_ms = -1
        self.counter = 0

    def reset(self) -> None:
        # A forked child must not continue the parent's counter: both would emit the
        # same (timestamp, counter) pairs, leaving only the 32 random bits to differ.
        self.lock = threading.Lock()
        self.last_ms = -1
        self.counter = 0


_clock = _Clock()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_clock.reset)


def uuid7() -> uuid.UUID:
    """A new UUIDv7: sortable by creation time, strictly increasing within this process."""
    random_bits = int.from_bytes(os.urandom(10), "big")  # 80 bits: 42 seed + 32 tail (+6 spare)
    now_ms = time.time_ns() // 1_000_000
    with _clock.lock:
        if now_ms > _clock.last_ms:
            _clock.last_ms = now_ms
            _clock.counter = (random_bits >> _TAIL_BITS) & _SEED_MASK
        else:
            _clock.counter += 1
            if _clock.counter > _COUNTER_MAX:
                _clock.last_ms += 1
                _clock.counter = (random_bits >> _TAIL_BITS) & _SEED_MASK
        ms, counter = _clock.last_ms, _clock.counter
    rand_a = counter >> _RAND_B_COUNTER_BITS
    rand_b = ((counter & ((1 << _RAND_B_COUNTER_BITS) - 1)) << _TAIL_BITS) | (
        random_bits & ((1 << _TAIL_BITS) - 1)
    )
    value = ((ms & ((1 << 48) - 1)) << 80) | _VERSION_7 | (rand_a << 64) | _VARIANT_RFC | rand_b
    return uuid.UUID(int=value)
