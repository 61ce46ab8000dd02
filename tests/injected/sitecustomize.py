"""Test-only additions to a real `api-server` subprocess; never part of the product.

A subprocess test puts this directory on PYTHONPATH, so Python imports this module at start-up,
before `api-server` builds its app. What it adds is chosen by environment variables:

- TEST_INJECT_SLOW_ROUTE=1: `GET /test-only/slow` prints "slow request in flight" and answers
  only after the process receives SIGUSR1 (an in-flight request the test controls).
- TEST_INJECT_FAILING_CHECK=1: the server pipeline gets a critical stage whose check fails.
"""

from __future__ import annotations

import asyncio
import os
import signal
from typing import Any

import api_server.app
import api_server.checks
import api_server.checks.pipeline_builders
import api_server.services.di
from api_server.readiness_pipeline import (
    PipelineBuilder,
    ReadinessCheck,
    ReadinessCheckResult,
    ReadinessPipeline,
)
from api_server.settings import Settings


def _with_slow_route(create_app: Any) -> Any:
    def create(settings: Settings | None = None) -> Any:
        app = create_app(settings)
        release = asyncio.Event()

        @app.get("/test-only/slow")
        async def slow() -> dict[str, str]:
            asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, release.set)
            print("slow request in flight", flush=True)
            await release.wait()
            return {"slow": "done"}

        return app

    return create


class AlwaysFails(ReadinessCheck):
    def __init__(self) -> None:
        super().__init__("injected_dependency", is_critical=True)

    def _execute(self) -> ReadinessCheckResult:
        raise ConnectionRefusedError("connect to postgresql://admin:s3cret@db.internal/app")


def _with_failing_check(build: Any) -> Any:
    def build_with_failure(settings: Settings, **options: Any) -> ReadinessPipeline:
        pipeline: ReadinessPipeline = build(settings, **options)
        builder = PipelineBuilder(default_timeout=settings.health_check_timeout)
        with builder.stage("injected", is_critical=True, fail_fast=True):
            builder.add_check(AlwaysFails())
        return ReadinessPipeline(
            [*pipeline.stages, *builder.build().stages], default_timeout=pipeline.default_timeout
        )

    return build_with_failure


if os.environ.get("TEST_INJECT_SLOW_ROUTE") == "1":
    api_server.app.create_app = _with_slow_route(api_server.app.create_app)
if os.environ.get("TEST_INJECT_FAILING_CHECK") == "1":
    patched = _with_failing_check(api_server.checks.pipeline_builders.build_server_pipeline)
    api_server.checks.pipeline_builders.build_server_pipeline = patched
    api_server.checks.build_server_pipeline = patched
    api_server.services.di.build_server_pipeline = patched  # type: ignore[attr-defined]
