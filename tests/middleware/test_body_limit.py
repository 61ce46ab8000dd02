from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, Request

from api_server.settings import SettingsError, load_settings
from tests.fixtures.app import AppClient

MIB = 1024 * 1024
calls: list[str] = []


def _routes(app: FastAPI) -> None:
    @app.post("/size")
    async def size(request: Request) -> dict[str, int]:
        calls.append("size")
        return {"size": len(await request.body())}

    @app.post("/json")
    async def json_body(payload: dict[str, str]) -> dict[str, int]:
        return {"keys": len(payload)}


def _assert_413(response: httpx.Response) -> None:
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "PAYLOAD_TOO_LARGE"
    assert body["request_id"] == response.headers["x-request-id"]


async def test_declared_length_over_the_limit_is_refused_before_the_route_runs(
    app_client: AppClient,
) -> None:
    calls.clear()
    async with app_client(routes=_routes) as http:
        response = await http.post("/size", content=b"x" * (MIB + 1))
    _assert_413(response)
    assert calls == []


async def test_exactly_the_limit_is_accepted(app_client: AppClient) -> None:
    async with app_client(routes=_routes) as http:
        response = await http.post("/size", content=b"x" * MIB)
    assert response.status_code == 200
    assert response.json() == {"size": MIB}


async def _chunks(total: int, chunk: int = 64 * 1024) -> AsyncIterator[bytes]:
    sent = 0
    while sent < total:
        size = min(chunk, total - sent)
        sent += size
        yield b"x" * size


async def test_chunked_body_over_the_limit_is_413(app_client: AppClient) -> None:
    async with app_client(routes=_routes) as http:
        response = await http.post("/size", content=_chunks(MIB + 1))
        assert "content-length" not in response.request.headers
    _assert_413(response)


async def test_chunked_body_within_the_limit_is_read(app_client: AppClient) -> None:
    async with app_client(routes=_routes) as http:
        response = await http.post("/size", content=_chunks(MIB // 2))
    assert response.json() == {"size": MIB // 2}


async def test_fastapi_body_parsing_reports_413_not_400(app_client: AppClient) -> None:
    async with app_client(routes=_routes, max_body_size=100) as http:
        big = b'{"k": "' + b"v" * 200 + b'"}'

        async def one_chunk() -> AsyncIterator[bytes]:
            yield big

        response = await http.post(
            "/json", content=one_chunk(), headers={"Content-Type": "application/json"}
        )
    _assert_413(response)


async def test_the_body_wait_is_bounded_until_the_body_is_complete_and_not_after() -> None:
    import asyncio

    from api_server.middleware.body_limit import BodyReadTimeoutError, _BodyReader

    async def slow() -> dict[str, object]:
        await asyncio.sleep(1)
        return {"type": "http.request", "body": b"late", "more_body": False}

    with pytest.raises(BodyReadTimeoutError) as refused:
        await _BodyReader(slow, None, 0.05)()
    assert refused.value.status_code == 408

    messages = iter(
        [
            {"type": "http.request", "body": b"ab", "more_body": True},
            {"type": "http.request", "body": b"c", "more_body": False},
        ]
    )

    async def then_disconnect() -> dict[str, object]:
        try:
            return next(messages)
        except StopIteration:
            await asyncio.sleep(0.2)  # an app waiting for the disconnect, past the timeout
            return {"type": "http.disconnect"}

    reader = _BodyReader(then_disconnect, 10, 0.1)
    assert (await reader())["body"] == b"ab"
    assert (await reader())["body"] == b"c"
    assert (await reader())["type"] == "http.disconnect"


@pytest.mark.parametrize("seconds", ["0", "-1", "3601", "inf", "nan", "soon"])
def test_a_body_read_timeout_out_of_bounds_is_refused_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, seconds: str
) -> None:
    monkeypatch.setenv("API_SERVER_BODY_READ_TIMEOUT", seconds)
    with pytest.raises(SettingsError, match=r"^invalid settings: body_read_timeout: "):
        load_settings(_env_file=None)
