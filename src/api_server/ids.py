"""Identifiers: RFC 9562 UUID version 7 (time-ordered), on every supported Python."""

from __future__ import annotations

import os
import threading
import time
import uuid

__all__ = ["uuid7"]

_lock = threading.Lock()
_last_ms = 0
_counter = 0  # 12-bit rand_a used as a counter within one millisecond (RFC 9562 method 1)


def uuid7() -> uuid.UUID:
    """A new UUIDv7: 48-bit Unix milliseconds, a 12-bit monotonic counter, 62 random bits.

    Values from one process are strictly increasing, so they sort by creation time.
    """
    global _last_ms, _counter
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms > _last_ms:
            _last_ms = ms
            _counter = int.from_bytes(os.urandom(2)) & 0x7FF  # leave headroom before rollover
        else:
            _counter += 1
            if _counter > 0xFFF:  # counter exhausted: borrow the next millisecond
                _last_ms += 1
                _counter = 0
            ms = _last_ms
        rand_b = int.from_bytes(os.urandom(8)) & ((1 << 62) - 1)
        value = (ms & ((1 << 48) - 1)) << 80
        value |= 0x7 << 76 | _counter << 64 | 0b10 << 62 | rand_b
    return uuid.UUID(int=value)
