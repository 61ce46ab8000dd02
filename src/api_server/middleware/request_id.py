"""Request ids: accept a well-formed `X-Request-ID`, else mint one (`EdgeMiddleware` uses it)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

__all__ = [
    "REQUEST_ID_HEADER",
    "is_well_formed_request_id",
    "new_request_id",
    "request_id_from_headers",
]

REQUEST_ID_HEADER = "X-Request-ID"
_HEADER_KEY = b"x-request-id"
# Well-formed: 1..128 characters of letters, digits and `._:-` (UUIDs, ULIDs, trace ids).
# Anything else (spaces, quotes, control characters, over-long values) is replaced, so a
# client can never inject text into log lines or response headers.
_WELL_FORMED = re.compile(rb"[A-Za-z0-9._:\-]{1,128}")


def is_well_formed_request_id(value: bytes) -> bool:
    """True when `value` may be used as a request id as sent by the client."""
    return _WELL_FORMED.fullmatch(value) is not None


def request_id_from_headers(headers: Iterable[tuple[bytes, bytes]]) -> bytes | None:
    """The client's `X-Request-ID` when it is well-formed, else None (ASGI header list)."""
    for key, value in headers:
        if key == _HEADER_KEY:
            return value if _WELL_FORMED.fullmatch(value) else None
    return None


def new_request_id() -> bytes:
    """32 random hex digits."""
    return os.urandom(16).hex().encode("ascii")
