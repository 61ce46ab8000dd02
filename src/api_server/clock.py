"""The one clock: timezone-aware UTC now, from `arrow` (not the deprecated `datetime.utcnow()`)."""

from __future__ import annotations

from datetime import datetime

import arrow

__all__ = ["utcnow"]


def utcnow() -> datetime:
    return arrow.utcnow().datetime
