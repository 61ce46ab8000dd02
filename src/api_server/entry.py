"""The `api-server` console script: imports the server with the garbage collector paused.

Importing FastAPI, SQLAlchemy, Strawberry and the app allocates about a million objects that
live as long as the process and frees almost none; the collector would walk them dozens of
times meanwhile (docs/performance.md).
"""

from __future__ import annotations

from api_server.collector import gc_paused

__all__ = ["gc_paused", "main"]


def main() -> None:
    with gc_paused():
        from api_server.main import main as run
    run()
