"""The `api-server` console script: imports the server with the garbage collector paused.

Importing FastAPI, SQLAlchemy, Strawberry and the app allocates about a million objects that
live as long as the process and frees almost none (about 1,000 found by a collection right
after). The collector would walk them dozens of times meanwhile: ~0.1 s of a ~0.9 s start on
the benchmark machine (`python -X importtime`, with and without `gc.disable()`), and another
~0.05 s while `create_app()` builds the routes and the GraphQL schema (`gc_paused()` there).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused", "main"]


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


def main() -> None:
    with gc_paused():
        from api_server.main import main as run
    run()
