"""The `api-server` console script: imports the server with the garbage collector paused.

Importing FastAPI, SQLAlchemy, Strawberry and the app allocates about a million objects that
live as long as the process and frees almost none (about 1,000 found by a collection right
after). The collector would walk them dozens of times meanwhile: ~0.1 s of a ~0.9 s start on
the benchmark machine (`python -X importtime`, with and without `gc.disable()`).
"""

from __future__ import annotations

import gc

__all__ = ["main"]


def main() -> None:
    gc.disable()
    try:
        from api_server.main import main as run
    finally:
        gc.enable()
    run()
