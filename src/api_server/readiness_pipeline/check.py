"""`ReadinessCheck`: the base class every readiness check extends."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import inspect
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Any

from loguru import logger

from api_server.readiness_pipeline.result import ReadinessCheckResult, ReadinessStatus

__all__ = ["ReadinessCheck"]


class ReadinessCheck:
    """One readiness check. Subclasses implement `_execute()` and return one of the helpers'
    results (`self.success(...)`, `self.failed(...)`, ...).

    Args:
        name: stable identifier shown in `/health-check` and `api-server check`.
        is_critical: a failure makes the whole pipeline ERROR (HTTP 503) and skips later stages.
        run_once: the first SUCCESS is kept and served on later runs (marked `cached`) until a
            `force_rerun`; a failure is never kept, so the check runs again next time.
        timeout: seconds before the check is abandoned as FAILED (default: the pipeline's,
            i.e. the `health_check_timeout` setting).

    `_execute()` may be a plain function (it then runs in a thread of its own, so blocking I/O
    never stalls the event loop) or a coroutine function. An exception or a timeout becomes
    a FAILED result naming only the error type: exception messages (driver errors) can hold
    hosts and users, so they go to the log, never into the result.
    """

    def __init__(
        self,
        name: str,
        *,
        is_critical: bool = False,
        run_once: bool = False,
        timeout: float | None = None,
    ) -> None:
        if timeout is not None and timeout <= 0:
            raise ValueError(f"check {name!r}: timeout must be positive")
        self.name = name
        self.is_critical = is_critical
        self.run_once = run_once
        self.timeout = timeout
        self._cached_success: ReadinessCheckResult | None = None

    def _execute(self) -> ReadinessCheckResult | Awaitable[ReadinessCheckResult]:
        raise NotImplementedError(f"{type(self).__name__} must implement _execute()")

    # Result helpers -----------------------------------------------------------------------

    def success(
        self, message: str, details: Mapping[str, Any] | None = None
    ) -> ReadinessCheckResult:
        return self._result(ReadinessStatus.SUCCESS, message, details)

    def failed(
        self, message: str, details: Mapping[str, Any] | None = None
    ) -> ReadinessCheckResult:
        return self._result(ReadinessStatus.FAILED, message, details)

    def warning(
        self, message: str, details: Mapping[str, Any] | None = None
    ) -> ReadinessCheckResult:
        return self._result(ReadinessStatus.WARNING, message, details)

    def not_applicable(
        self, message: str, details: Mapping[str, Any] | None = None
    ) -> ReadinessCheckResult:
        return self._result(ReadinessStatus.NOT_APPLICABLE, message, details)

    def skip_stage(
        self, message: str, details: Mapping[str, Any] | None = None
    ) -> ReadinessCheckResult:
        """This check does not apply, and neither do the remaining checks of its stage."""
        return replace(self._result(ReadinessStatus.SKIPPED, message, details), skip_stage=True)

    def _result(
        self, status: ReadinessStatus, message: str, details: Mapping[str, Any] | None
    ) -> ReadinessCheckResult:
        return ReadinessCheckResult(
            name=self.name, status=status, message=message, details=dict(details or {})
        )

    # Running ------------------------------------------------------------------------------

    async def run(
        self, *, default_timeout: float, force_rerun: bool = False
    ) -> ReadinessCheckResult:
        """Execute the check (or serve its cached success); never raises an `Exception`."""
        if self.run_once and self._cached_success is not None and not force_rerun:
            return self._cached_success
        timeout = self.timeout if self.timeout is not None else default_timeout
        started = time.perf_counter()
        result = await self._guarded(timeout)
        result = result.with_run_info(
            duration_ms=round((time.perf_counter() - started) * 1000, 3),
            is_critical=self.is_critical,
        )
        if self.run_once:
            success = result.status is ReadinessStatus.SUCCESS
            self._cached_success = _as_cached(result) if success else None
        return result

    async def _guarded(self, timeout: float) -> ReadinessCheckResult:
        deadline = asyncio.timeout(timeout)
        try:
            async with deadline:
                result = await self._call()
        except TimeoutError as error:
            if not deadline.expired():  # the check itself raised TimeoutError
                return self._from_exception(error)
            logger.warning("readiness check {} timed out after {:g} s", self.name, timeout)
            return self.failed(
                f"TimeoutError: no answer within {timeout:g} s", {"error_type": "TimeoutError"}
            )
        except Exception as error:
            return self._from_exception(error)
        if not isinstance(result, ReadinessCheckResult):
            logger.error("readiness check {} returned a {}", self.name, type(result).__name__)
            return self.failed(
                "TypeError: the check returned no ReadinessCheckResult", {"error_type": "TypeError"}
            )
        return result

    async def _call(self) -> object:
        # Returns whatever the subclass produced; `_guarded` verifies it is a result.
        if inspect.iscoroutinefunction(self._execute):
            outcome: object = await self._execute()
        else:
            outcome = await _in_daemon_thread(self._execute, name=f"readiness-{self.name}")
        if inspect.isawaitable(outcome):  # a plain function that returned a coroutine
            outcome = await outcome
        return outcome

    def _from_exception(self, error: BaseException) -> ReadinessCheckResult:
        error_type = type(error).__name__
        # Exception messages of drivers name hosts, users and databases: the result and the
        # warning carry only the type; the traceback is there for whoever turns on DEBUG.
        logger.warning("readiness check {} raised {}", self.name, error_type)
        logger.opt(exception=error).debug("readiness check {} traceback", self.name)
        return self.failed(f"{error_type} raised by the check", {"error_type": error_type})

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} critical={self.is_critical}>"


async def _in_daemon_thread(function: Callable[[], object], *, name: str) -> object:
    """Run `function` in a thread of its own and await its outcome.

    Not `asyncio.to_thread`: a sync check that hangs past its timeout cannot be stopped, and in
    the default executor it would hold a worker that DNS lookups need and make the interpreter
    wait for it at exit. A daemon thread is abandoned instead.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[object] = loop.create_future()
    context = contextvars.copy_context()

    def settle(outcome: object, error: BaseException | None) -> None:
        if future.done():  # the awaiting side timed out and went away
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(outcome)

    def target() -> None:
        outcome: object = None
        error: BaseException | None = None
        try:
            outcome = context.run(function)
        except BaseException as raised:  # handed to the awaiting side, which decides
            error = raised
        # RuntimeError: the loop is closed, nobody is waiting any more.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(settle, outcome, error)

    threading.Thread(target=target, name=name, daemon=True).start()
    return await future


def _as_cached(result: ReadinessCheckResult) -> ReadinessCheckResult:
    return replace(result, duration_ms=0.0, cached=True)
