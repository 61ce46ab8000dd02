from __future__ import annotations

from importlib.metadata import version

import httpx


async def test_ping(client: httpx.AsyncClient) -> None:
    response = await client.get("/ping")
    assert response.status_code == 200
    assert response.json() == {"ping": "pong"}


async def test_version_is_the_installed_package_version(client: httpx.AsyncClient) -> None:
    body = (await client.get("/version")).json()
    assert body["version"] == version("api-server")
    assert body["commit"] is None or len(body["commit"]) == 40


async def test_home_page_links_local_pages_only(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert 'href="/ping"' in response.text
    assert "http://" not in response.text and "https://" not in response.text
