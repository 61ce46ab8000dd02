"""A domain is added with one entry in the tuple given to `create_app()`: its routes are
mounted, its GraphQL fields merged, its services registered; a missing service fails the
build, not a request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
import strawberry
from fastapi import APIRouter

from api_server.app import create_app
from api_server.domain import Domain
from api_server.domains import DOMAINS
from api_server.graphql.context import GraphQLContext
from api_server.services.di import Service
from api_server.services.registry import ServiceNotRegisteredError, ServiceRegistry
from api_server.settings import Settings
from tests.fixtures.app import serving
from tests.fixtures.auth import ALL_SCOPES


class Greeter:
    def greet(self, name: str) -> str:
        return f"hello {name}"


GreeterDep = Annotated[Greeter, Service(Greeter)]
router = APIRouter(prefix="/greetings", tags=["greetings"])


@router.get("/{name}")
async def greet(name: str, greeter: GreeterDep) -> dict[str, str]:
    return {"greeting": greeter.greet(name)}


@strawberry.type
class Query:
    @strawberry.field
    def greeting(self, info: strawberry.Info[GraphQLContext, None], name: str) -> str:
        return info.context.service(Greeter).greet(name)


def _register(registry: ServiceRegistry) -> None:
    registry.register_singleton(Greeter, Greeter())


GREETINGS = Domain(
    name="greetings",
    read_scope="greetings:read",
    write_scope="greetings:write",
    routers=(router,),
    tags={"greetings": "Greetings for a name."},
    register=_register,
    graphql_query=f"{__name__}:Query",
)


@pytest.fixture
async def http(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, domains=(*DOMAINS, GREETINGS))
    async with serving(app, scopes=(*ALL_SCOPES, "greetings:read")) as client:
        yield client


async def test_a_domain_added_in_one_place_serves_rest_and_graphql(
    http: httpx.AsyncClient,
) -> None:
    rest = await http.get("/api/v1/greetings/ada")
    assert (rest.status_code, rest.json()) == (200, {"greeting": "hello ada"})
    query = '{ greeting(name: "ada") patients(first: 1) { edges { cursor } } }'
    body = (await http.post("/graphql", json={"query": query})).json()
    assert body == {"data": {"greeting": "hello ada", "patients": {"edges": []}}}
    assert "/api/v1/greetings/{name}" in (await http.get("/openapi.json")).json()["paths"]


async def test_a_new_domain_is_behind_its_own_scope(settings: Settings) -> None:
    app = create_app(settings, domains=(*DOMAINS, GREETINGS))
    async with serving(app, scopes=ALL_SCOPES) as http:  # no greetings:read
        rest = await http.get("/api/v1/greetings/ada")
        assert (rest.status_code, rest.json()["code"]) == (403, "FORBIDDEN")
        assert rest.json()["required_scope"] == "greetings:read"
        body = (await http.post("/graphql", json={"query": '{ greeting(name: "x") }'})).json()
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert "data" not in body  # refused before execution


def test_a_route_whose_service_nobody_registered_fails_create_app(settings: Settings) -> None:
    # no register: no Greeter
    unregistered = Domain(name="greetings", read_scope="r", write_scope="w", routers=(router,))
    with pytest.raises(ServiceNotRegisteredError, match=r"Greeter.*/api/v1/greetings/\{name\}"):
        create_app(settings, domains=(*DOMAINS, unregistered))


def test_registering_a_service_twice_fails_create_app(settings: Settings) -> None:
    twice = Domain(name="again", read_scope="r", write_scope="w", register=_register)
    with pytest.raises(ValueError, match="Greeter is already registered"):
        create_app(settings, domains=(GREETINGS, twice))


def test_graphql_needs_a_domain_with_query_fields(settings: Settings) -> None:
    with pytest.raises(ValueError, match="at least one domain with query fields"):
        create_app(settings, domains=())
    assert create_app(settings.model_copy(update={"profiles": "rest"}), domains=()) is not None


def test_two_domains_with_one_name_are_refused(settings: Settings) -> None:
    with pytest.raises(ValueError, match="domain names must be unique"):
        again = Domain(name="greetings", read_scope="r", write_scope="w")
        create_app(settings, domains=(GREETINGS, again))


@strawberry.type
class ClashingQuery:
    @strawberry.field
    def patients(self) -> str:
        return "not the patients domain's"


def test_two_domains_declaring_one_root_field_fail_create_app(settings: Settings) -> None:
    clash = Domain(
        name="clash", read_scope="r", write_scope="w", graphql_query=f"{__name__}:ClashingQuery"
    )
    with pytest.raises(ValueError, match=r"Query\.patients is declared by .*ClashingQuery"):
        create_app(settings, domains=(*DOMAINS, clash))
