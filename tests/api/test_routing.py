"""include_flat() mounts the same API as include_router(), minus the per-request router nodes."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

from api_server.api import health, system
from api_server.api.routing import include_flat
from api_server.app import API_PREFIX
from api_server.domains import DOMAINS
from api_server.graphql.router import PATH, build_graphql_router
from api_server.settings import Settings


def _both_ways(router: APIRouter, prefix: str) -> tuple[FastAPI, FastAPI]:
    included, flat = FastAPI(), FastAPI()
    included.include_router(router, prefix=prefix)
    include_flat(flat, router, prefix=prefix)
    return included, flat


def _shout(route: APIRoute) -> str:
    return route.name.upper()


GRAPHQL = build_graphql_router(Settings(_env_file=None), DOMAINS)  # type: ignore[call-arg]
REST = [router for domain in DOMAINS for router in domain.routers]


@pytest.mark.parametrize(
    ("router", "prefix"),
    [(system.router, ""), (health.router, ""), (GRAPHQL, PATH)] + [(r, API_PREFIX) for r in REST],
    ids=["system", "health", "graphql", *(r.prefix.strip("/") for r in REST)],
)
def test_the_openapi_document_is_the_same_either_way(router: APIRouter, prefix: str) -> None:
    included, flat = _both_ways(router, prefix)
    assert flat.openapi() == included.openapi()
    copied = flat.routes[-len(router.routes) :]
    assert [type(r) for r in copied] == [type(r) for r in router.routes]
    assert [(r.path, getattr(r, "methods", None)) for r in copied] == [
        (prefix + r.path, getattr(r, "methods", None)) for r in router.routes
    ]


def test_an_operation_id_function_names_what_route_and_router_leave_unnamed() -> None:
    router, named_router = APIRouter(), APIRouter(generate_unique_id_function=lambda r: "mine")

    @router.get("/plain")
    async def plain() -> None: ...

    @router.get("/own", operation_id="ownId")
    async def own() -> None: ...

    @named_router.get("/named")
    async def named() -> None: ...

    included, flat = FastAPI(), FastAPI()
    for each in (router, named_router):
        included.include_router(each, prefix="/p", generate_unique_id_function=_shout)
        include_flat(flat, each, prefix="/p", generate_unique_id_function=_shout)
    assert flat.openapi() == included.openapi()
    ids = [op["operationId"] for item in flat.openapi()["paths"].values() for op in item.values()]
    assert ids == ["PLAIN", "ownId", "mine"]


def test_routers_it_cannot_copy_faithfully_are_refused() -> None:
    outer, inner = APIRouter(), APIRouter()

    @inner.get("/x")
    async def x() -> None: ...

    outer.include_router(inner)
    with pytest.raises(TypeError, match="include_router"):
        include_flat(FastAPI(), outer)


def test_routers_with_hooks_it_would_drop_are_refused() -> None:
    async def hook() -> None: ...

    with pytest.raises(TypeError, match="on_startup"):
        include_flat(FastAPI(), APIRouter(on_startup=[hook]))
