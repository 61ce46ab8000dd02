from __future__ import annotations

import pytest

from tests.fixtures.app import AppClient

ORIGIN = "https://app.example.com"


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("api.example.com", 200),
        ("API.example.com:8443", 200),
        ("eu.svc.internal", 200),
        ("svc.internal", 400),
        ("evil.example.org", 400),
        ("api.example.com.evil.org", 400),
    ],
)
async def test_trusted_hosts(app_client: AppClient, host: str, status: int) -> None:
    async with app_client(trusted_hosts=["api.example.com", "*.svc.internal"]) as http:
        response = await http.get("/version", headers={"Host": host})
    assert response.status_code == status
    if status == 400:
        body = response.json()
        assert body["code"] == "INVALID_HOST"
        assert body["request_id"] == response.headers["x-request-id"]


@pytest.mark.parametrize("host", ["10.42.0.17:8080", "localhost", "127.0.0.1", "[fd00::1]:8080"])
async def test_probes_answer_whatever_the_host(app_client: AppClient, host: str) -> None:
    async with app_client(trusted_hosts=["api.example.com"]) as http:
        for path in ("/ping", "/health-check"):
            response = await http.get(path, headers={"Host": host})
            assert response.status_code == 200, (path, response.text)
        refused = await http.get("/api/v1/patients", headers={"Host": host})
        assert (refused.status_code, refused.json()["code"]) == (400, "INVALID_HOST")
        # A forced re-run of every check is no probe: it stays behind the Host check.
        rerun = await http.post("/health-check?force_rerun=true", headers={"Host": host})
        assert (rerun.status_code, rerun.json()["code"]) == (400, "INVALID_HOST")


async def test_any_host_by_default(app_client: AppClient) -> None:
    async with app_client() as http:
        response = await http.get("/ping", headers={"Host": "whatever.example"})
    assert response.status_code == 200


async def test_cors_preflight_allowed(app_client: AppClient) -> None:
    async with app_client(cors_origins=[ORIGIN], cors_allow_credentials=True) as http:
        response = await http.options(
            "/ping",
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": "PATCH",
                "Access-Control-Request-Headers": "content-type, if-match",
            },
        )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "PATCH" in response.headers["access-control-allow-methods"]


async def test_cors_preflight_denied_for_other_origins(app_client: AppClient) -> None:
    async with app_client(cors_origins=[ORIGIN]) as http:
        response = await http.options(
            "/ping",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
        )
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers
    assert response.headers["x-request-id"]


async def test_cors_simple_request_exposes_the_request_id(app_client: AppClient) -> None:
    async with app_client(cors_origins=[ORIGIN]) as http:
        allowed = await http.get("/ping", headers={"Origin": ORIGIN})
        other = await http.get("/ping", headers={"Origin": "https://evil.example"})
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    assert "x-request-id" in allowed.headers["access-control-expose-headers"].lower()
    assert "access-control-allow-origin" not in other.headers


async def test_no_cors_headers_without_configured_origins(app_client: AppClient) -> None:
    async with app_client() as http:
        response = await http.get("/ping", headers={"Origin": ORIGIN})
    assert "access-control-allow-origin" not in response.headers
