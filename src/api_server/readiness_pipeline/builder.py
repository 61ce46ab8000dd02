"""`PipelineBuilder`: compose stages and checks into a `ReadinessPipeline`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from api_server.readiness_pipeline.check import ReadinessCheck
from api_server.readiness_pipeline.pipeline import ReadinessPipeline
from api_server.readiness_pipeline.stage import ReadinessStage

__all__ = ["PipelineBuilder"]


@dataclass
class _OpenStage:
    name: str
    is_critical: bool
    fail_fast: bool
    checks: list[ReadinessCheck] = field(default_factory=list)


class PipelineBuilder:
    """Stages in the order they are opened, checks in the order they are added:

    ```python
    builder = PipelineBuilder(default_timeout=settings.health_check_timeout)
    with builder.stage("database", is_critical=True, fail_fast=True):
        builder.add_check(DatabaseHealthCheck())
    pipeline = builder.build()
    ```
    """

    def __init__(self, *, default_timeout: float) -> None:
        self._default_timeout = default_timeout
        self._stages: list[ReadinessStage] = []
        self._open: _OpenStage | None = None

    @contextmanager
    def stage(
        self, name: str, *, is_critical: bool = False, fail_fast: bool = False
    ) -> Iterator[PipelineBuilder]:
        """Open a stage; `add_check()` inside the `with` block adds to it."""
        if self._open is not None:
            raise RuntimeError(f"stage {name!r} opened inside stage {self._open.name!r}")
        self._open = _OpenStage(name, is_critical, fail_fast)
        try:
            yield self
            opened = self._open
            self._stages.append(
                ReadinessStage(
                    opened.name,
                    opened.checks,
                    is_critical=opened.is_critical,
                    fail_fast=opened.fail_fast,
                )
            )
        finally:
            self._open = None

    def add_check(self, check: ReadinessCheck) -> PipelineBuilder:
        if self._open is None:
            raise RuntimeError(f"add_check({check.name!r}) outside a `with builder.stage(...)`")
        self._open.checks.append(check)
        return self

    def build(self) -> ReadinessPipeline:
        if self._open is not None:
            raise RuntimeError(f"stage {self._open.name!r} is still open")
        return ReadinessPipeline(self._stages, default_timeout=self._default_timeout)
