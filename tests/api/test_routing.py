"""include_flat() mounts the same API as include_router(), minus the per-request router nodes."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

from api_server.api import health, system, v1
from api_server.api.routing import include_flat


def _both_ways(router: APIRouter, prefix: str) -> tuple[FastAPI, FastAPI]:
    included, flat = FastAPI(), FastAPI()
    included.include_router(router, prefix=prefix)
    include_flat(flat, router, prefix=prefix)
    return included, flat


@pytest.mark.parametrize(
    ("router", "prefix"),
    [(system.router, ""), (health.router, "")] + [(r, v1.PREFIX) for r in v1.ROUTERS],
    ids=["system", "health", *(r.prefix.strip("/") for r in v1.ROUTERS)],
)
def test_the_openapi_document_is_the_same_either_way(router: APIRouter, prefix: str) -> None:
    included, flat = _both_ways(router, prefix)
    assert flat.openapi() == included.openapi()
    assert all(isinstance(route, APIRoute) for route in flat.routes[-len(router.routes) :])


def test_routers_it_cannot_copy_faithfully_are_refused() -> None:
    outer, inner = APIRouter(), APIRouter()

    @inner.get("/x")
    async def x() -> None: ...

    outer.include_router(inner)
    with pytest.raises(TypeError, match="include_router"):
        include_flat(FastAPI(), outer)
