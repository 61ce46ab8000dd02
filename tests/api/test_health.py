"""`/health-check`: status codes, body, caching, coalescing, start-up and draining."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from api_server.app import create_app
from api_server.auth.principal import ADMIN_SCOPE
from api_server.readiness_pipeline import (
    ReadinessCheckResult,
    ReadinessReport,
    ReadinessService,
)
from api_server.settings import Settings
from tests.fixtures.auth import bearer, issue_key
from tests.readiness_pipeline.fakes import GatedCheck, ScriptedCheck, one_stage

LEAKS = ("db.internal", "admin", "s3cret", "postgresql://")


@asynccontextmanager
async def serving(
    settings: Settings, service: ReadinessService | None = None, *, lifespan: bool = True
) -> AsyncIterator[tuple[httpx.AsyncClient, ReadinessService]]:
    """The app with `service` in place of the server pipeline's (when given)."""
    app = create_app(settings)
    registry = app.state.registry
    service = service or registry.get(ReadinessService)
    transport = httpx.ASGITransport(app=app)
    with registry.override(ReadinessService, service):
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            if lifespan:
                async with app.router.lifespan_context(app):
                    http.headers.update(bearer(await issue_key(ADMIN_SCOPE)))  # the details
                    yield http, service
            else:
                yield http, service


async def test_operational_server_is_ready(client: httpx.AsyncClient) -> None:
    response = await client.get("/health-check")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert (body["status"], body["ready"]) == ("operational", True)
    stage = body["stages"][0]
    assert stage["name"] == "configuration"
    check = stage["checks"][0]
    assert {"name", "status", "message", "details", "duration_ms"} <= check.keys()
    assert check["name"] == "profiles" and check["status"] == "success"


async def test_the_details_are_for_administrators_and_a_rerun_too(settings: Settings) -> None:
    async with serving(settings) as (http, _):
        admin = dict(http.headers)
        del http.headers["authorization"]
        public = (await http.get("/health-check")).json()
        assert (public["status"], public["ready"], public["stages"]) == ("operational", True, [])
        for headers in ({}, bearer("apisrv_" + "x" * 43), bearer(await issue_key("patients:read"))):
            body = (await http.get("/health-check", headers=headers)).json()
            assert body["stages"] == [] and body["ready"] is True  # probes never fail on auth
        assert (await http.get("/health-check", headers=admin)).json()["stages"]
        unauthenticated = await http.post("/health-check")
        assert unauthenticated.status_code == 401
        assert unauthenticated.headers["www-authenticate"].startswith("Bearer")
        reader = bearer(await issue_key("patients:read"))
        forbidden = await http.post("/health-check", headers=reader)
        assert (forbidden.status_code, forbidden.json()["required_scope"]) == (403, "admin")
        assert (await http.post("/health-check", headers=admin)).status_code == 200


async def test_degraded_is_still_ready(settings: Settings) -> None:
    service = ReadinessService(one_stage(ScriptedCheck("cache", "warning")), cache_ttl=5)
    async with serving(settings, service) as (http, _):
        response = await http.get("/health-check")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"


async def test_critical_failure_is_503_with_the_health_body_and_no_leak(
    settings: Settings,
) -> None:
    service = ReadinessService(
        one_stage(ScriptedCheck("database", "raise", is_critical=True)), cache_ttl=5
    )
    async with serving(settings, service) as (http, _):
        response = await http.get("/health-check")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/json"  # not a problem response
    body = response.json()
    assert (body["status"], body["ready"]) == ("error", False)
    check = body["stages"][0]["checks"][0]
    assert check["status"] == "failed"
    assert "ConnectionRefusedError" in check["message"]
    for leak in LEAKS:
        assert leak not in response.text


async def test_503_before_start_up_finished(settings: Settings) -> None:
    check = ScriptedCheck("c")
    service = ReadinessService(one_stage(check), cache_ttl=5)
    async with serving(settings, service, lifespan=False) as (http, _):
        response = await http.get("/health-check")
    assert response.status_code == 503
    assert response.json() == {
        "status": "starting",
        "ready": False,
        "checked_at": None,
        "duration_ms": None,
        "stages": [],
    }
    assert check.calls == 0


async def test_503_while_draining(settings: Settings) -> None:
    async with serving(settings) as (http, service):
        assert (await http.get("/health-check")).status_code == 200
        service.begin_drain()
        response = await http.get("/health-check")
        forced = await http.post("/health-check", params={"force_rerun": "true"})
        ping = await http.get("/ping")
    assert response.status_code == 503 and forced.status_code == 503
    assert response.json()["status"] == "draining"
    assert ping.status_code == 200  # liveness is not readiness


class CountingService(ReadinessService):
    """Signals once `expected` requests have asked for readiness."""

    def __init__(self, *args: Any, expected: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.expected = expected
        self.callers = 0
        self.all_asked = asyncio.Event()

    async def report(self, *, fresh: bool = False, force_rerun: bool = False) -> ReadinessReport:
        self.callers += 1
        if self.callers >= self.expected:
            self.all_asked.set()
        return await super().report(fresh=fresh, force_rerun=force_rerun)


async def test_200_concurrent_gets_execute_each_check_at_most_once(settings: Settings) -> None:
    gated, plain = GatedCheck(), ScriptedCheck("plain")
    # No cache (ttl=0): only sharing the run in flight can keep it to one execution.
    service = CountingService(one_stage(plain, gated), cache_ttl=0, expected=200)
    async with serving(settings, service) as (http, _):
        requests = [asyncio.create_task(http.get("/health-check")) for _ in range(200)]
        await service.all_asked.wait()
        gated.gate.set()
        responses = await asyncio.gather(*requests)
    assert {response.status_code for response in responses} == {200}
    assert (plain.calls, gated.calls) == (1, 1)


async def test_post_force_rerun_re_executes_run_once_checks(settings: Settings) -> None:
    once = ScriptedCheck("init", run_once=True)
    service = ReadinessService(one_stage(once), cache_ttl=60)
    async with serving(settings, service) as (http, _):
        cached = (await http.get("/health-check")).json()
        plain_post = (await http.post("/health-check")).json()
        forced = await http.post("/health-check?force_rerun=true")
    assert cached["stages"][0]["checks"][0]["cached"] is False
    assert plain_post["stages"][0]["checks"][0]["cached"] is True
    assert forced.status_code == 200
    assert forced.json()["stages"][0]["checks"][0]["cached"] is False
    assert once.calls == 2


async def test_force_rerun_must_be_a_boolean(client: httpx.AsyncClient) -> None:
    response = await client.post("/health-check", params={"force_rerun": "maybe"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_recovers_by_itself_when_a_dependency_comes_back(sqlite_database_url: str) -> None:
    settings = Settings(
        database_url=sqlite_database_url,
        health_cache_ttl=3600,  # only the background refresh can change the answer
        health_refresh_interval=0.01,
        _env_file=None,  # type: ignore[call-arg]
    )
    recovered = asyncio.Event()

    class Dependency(ScriptedCheck):
        async def _execute(self) -> ReadinessCheckResult:
            result = await super()._execute()
            if self.outcome == "success":
                # Set as the check returns: the run stores its result in the same step.
                recovered.set()
            return result

    dependency = Dependency("dependency", "failed", is_critical=True)
    service = ReadinessService(one_stage(dependency), cache_ttl=settings.health_cache_ttl)
    async with serving(settings, service) as (http, _):
        assert (await http.get("/health-check")).status_code == 503
        dependency.outcome = "success"
        await asyncio.wait_for(recovered.wait(), timeout=10)
        response = await http.get("/health-check")
    assert response.status_code == 200
    assert response.json()["status"] == "operational"
