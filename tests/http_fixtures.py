"""Fixtures for HTTP-level tests: JSON log capture and apps built with specific settings."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from loguru import logger

from api_server.app import create_app
from api_server.logging import setup_logging
from api_server.settings import Settings


class LogCapture:
    def __init__(self) -> None:
        self.stream = io.StringIO()

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines() if line]

    def access_lines(self) -> list[dict[str, Any]]:
        return [line for line in self.lines() if line["logger"].endswith("access_log")]


@pytest.fixture
def logs() -> Iterator[LogCapture]:
    capture = LogCapture()
    setup_logging(Settings(log_format="json", _env_file=None), capture.stream)  # type: ignore[call-arg]
    yield capture
    logger.remove()
    logging.basicConfig(handlers=[], force=True)


AppClient = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def app_client(settings: Settings) -> AppClient:
    """`async with app_client(setting=value, routes=fn) as http:` an app with those settings;
    `routes(app)` may add test routes before the app starts.
    """

    @asynccontextmanager
    async def build(
        routes: Callable[[FastAPI], None] | None = None, **overrides: Any
    ) -> AsyncIterator[httpx.AsyncClient]:
        app = create_app(settings.model_copy(update=overrides))
        if routes is not None:
            routes(app)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://testserver") as http,
        ):
            yield http

    return build
