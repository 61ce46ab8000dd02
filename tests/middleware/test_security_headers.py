from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from starlette.types import Receive, Scope, Send

from api_server.middleware import SECURITY_HEADERS, EdgeMiddleware
from tests.fixtures.app import AppClient


def _assert_secured(response: httpx.Response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, f"{name} missing on {response.url}"
    assert response.headers["x-request-id"]


def _routes(app: FastAPI) -> None:
    @app.get("/bug")
    async def bug() -> None:
        raise RuntimeError("boom")

    @app.get("/own-csp")
    async def own_csp() -> HTMLResponse:
        return HTMLResponse("<p>x</p>", headers={"Content-Security-Policy": "default-src 'none'"})


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/ping", 200),
        ("GET", "/", 200),
        ("GET", "/docs", 200),
        ("GET", "/openapi.json", 200),
        ("GET", "/metrics", 200),
        ("GET", "/nope", 404),
        ("DELETE", "/ping", 405),
        ("GET", "/bug", 500),
    ],
)
async def test_every_response_carries_the_security_headers(
    app_client: AppClient, method: str, path: str, status: int
) -> None:
    async with app_client(routes=_routes) as http:
        response = await http.request(method, path)
    assert response.status_code == status
    _assert_secured(response)


async def test_rejections_carry_them_too(app_client: AppClient) -> None:
    async with app_client(trusted_hosts=["api.example.com"]) as http:
        bad_host = await http.get("/version", headers={"Host": "evil.example.org"})
    assert bad_host.status_code == 400
    _assert_secured(bad_host)
    async with app_client(max_body_size=10) as http:
        too_large = await http.post("/ping", content=b"x" * 11)
    assert too_large.status_code == 413
    _assert_secured(too_large)


async def test_a_route_may_set_its_own_policy(app_client: AppClient) -> None:
    async with app_client(routes=_routes) as http:
        response = await http.get("/own-csp")
    assert response.headers.get_list("content-security-policy") == ["default-src 'none'"]
    assert response.headers["x-frame-options"] == "DENY"


async def test_a_header_set_in_any_letter_case_is_not_duplicated() -> None:
    # Starlette lower-cases header names; a raw ASGI app need not.
    async def raw(scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"Content-Security-Policy", b"default-src 'none'")],
            }
        )
        await send({"type": "http.response.body", "body": b"x"})

    edge = EdgeMiddleware(raw, access_log=None, metrics=None)
    transport = httpx.ASGITransport(app=edge)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        response = await http.get("/")
    assert response.headers.get_list("content-security-policy") == ["default-src 'none'"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-request-id"]
