"""Readiness: `GET /health-check` (cached) and `POST /health-check` (run now).

The body is the same on 200 and 503: load balancers and operators read one schema, so a 503
here is a health body, not a problem response (problem+json stays for real errors, e.g. a
malformed `force_rerun` => 422).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from api_server.api import system
from api_server.auth.dependencies import admin_or_none, requires
from api_server.auth.principal import ADMIN_SCOPE
from api_server.readiness_pipeline import (
    ReadinessCheckResult,
    ReadinessReport,
    ReadinessService,
    ReadinessStatus,
    ServingState,
    StageResult,
)
from api_server.services.di import Service

router = APIRouter(tags=list(system.TAGS))

ReadinessDep = Annotated[ReadinessService, Service(ReadinessService)]
HealthStatus = Literal["operational", "degraded", "error", "starting", "draining"]


class CheckBody(BaseModel):
    name: str
    status: ReadinessStatus
    message: str
    details: dict[str, Any]
    duration_ms: float
    is_critical: bool
    cached: bool


class StageBody(BaseModel):
    name: str
    status: ReadinessStatus
    is_critical: bool
    fail_fast: bool
    duration_ms: float
    checks: list[CheckBody]


class HealthBody(BaseModel):
    status: HealthStatus
    ready: bool
    checked_at: datetime | None
    duration_ms: float | None
    stages: list[StageBody]


def _check_body(check: ReadinessCheckResult) -> CheckBody:
    return CheckBody(
        name=check.name,
        status=check.status,
        message=check.message,
        details=dict(check.details),
        duration_ms=check.duration_ms,
        is_critical=check.is_critical,
        cached=check.cached,
    )


def _stage_body(stage: StageResult) -> StageBody:
    return StageBody(
        name=stage.name,
        status=stage.status,
        is_critical=stage.is_critical,
        fail_fast=stage.fail_fast,
        duration_ms=stage.duration_ms,
        checks=[_check_body(check) for check in stage.checks],
    )


def _answer(report: ReadinessReport, response: Response, *, details: bool) -> HealthBody:
    result = report.result
    status: HealthStatus
    if report.state is ServingState.SERVING and result is not None:
        status = result.status.value
    else:
        status = "draining" if report.state is ServingState.DRAINING else "starting"
    response.status_code = 200 if report.is_ready else 503
    response.headers["Cache-Control"] = "no-store"
    return HealthBody(
        status=status,
        ready=report.is_ready,
        checked_at=result.finished_at if result else None,
        duration_ms=result.duration_ms if result else None,
        stages=[_stage_body(stage) for stage in result.stages] if result and details else [],
    )


_RESPONSES: dict[int | str, dict[str, Any]] = {
    503: {"model": HealthBody, "description": "Not ready: error, starting or draining"},
}


@router.get("/health-check", response_model=HealthBody, responses=_RESPONSES)
async def health_check(readiness: ReadinessDep, request: Request, response: Response) -> HealthBody:
    """Readiness: 200 when operational or degraded, 503 otherwise (cached for the TTL).

    Public, for probes: the status only. `stages` (each check's result) are listed for
    callers with the `admin` scope.
    """
    details = await admin_or_none(request) is not None
    return _answer(await readiness.report(), response, details=details)


@router.post(
    "/health-check",
    response_model=HealthBody,
    responses=_RESPONSES,
    dependencies=[requires(ADMIN_SCOPE)],
)
async def rerun_health_check(
    readiness: ReadinessDep,
    response: Response,
    force_rerun: Annotated[bool, Query(description="also re-execute run_once checks")] = False,
) -> HealthBody:
    """Run the readiness pipeline now (concurrent callers share one run); `admin` scope."""
    report = await readiness.report(fresh=True, force_rerun=force_rerun)
    return _answer(report, response, details=True)
