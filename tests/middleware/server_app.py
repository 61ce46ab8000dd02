"""The real app plus two routes the default app lacks, for server-subprocess tests.

`python -m tests.middleware.server_app` serves it through `api_server.main.serve` (the same
serving path as `api-server`, signal handling included).
"""

from __future__ import annotations

import asyncio

from fastapi import FastAPI, Request

from api_server.main import app_factory, serve
from api_server.settings import get_settings


def create_test_app() -> FastAPI:
    app = app_factory()

    @app.post("/echo-size")
    async def echo_size(request: Request) -> dict[str, int]:
        # Buffers the whole body, as most handlers do: only the limit keeps it bounded.
        return {"size": len(await request.body())}

    @app.get("/hang")
    async def hang() -> None:
        await asyncio.Event().wait()  # in flight until the server gives up on it

    return app


if __name__ == "__main__":
    serve(get_settings(), "tests.middleware.server_app:create_test_app")
