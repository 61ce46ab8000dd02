from __future__ import annotations

from functools import lru_cache
from typing import Annotated

import httpx
import pytest
from fastapi import FastAPI

from api_server.services.di import Service, build_registry
from api_server.services.registry import (
    DuplicateServiceError,
    ServiceNotRegisteredError,
    ServiceRegistry,
)
from api_server.settings import Settings


class Greeter:
    def greet(self) -> str:
        return "hello"


class FakeGreeter(Greeter):
    def greet(self) -> str:
        return "fake"


def test_unknown_type_raises_with_the_type_name() -> None:
    with pytest.raises(ServiceNotRegisteredError, match="Greeter"):
        ServiceRegistry().get(Greeter)


def test_duplicate_registration_is_refused_and_keeps_the_first() -> None:
    registry = ServiceRegistry()
    first = Greeter()
    registry.register_singleton(Greeter, first)
    with pytest.raises(DuplicateServiceError, match="Greeter"):
        registry.register_factory(Greeter, FakeGreeter)
    assert registry.get(Greeter) is first


def test_singleton_must_be_an_instance_of_the_type() -> None:
    with pytest.raises(TypeError, match="Greeter"):
        ServiceRegistry().register_singleton(Greeter, "not a greeter")  # type: ignore[arg-type]


def test_factory_runs_per_get_and_lru_cache_makes_a_singleton() -> None:
    registry = ServiceRegistry()
    registry.register_factory(Greeter, Greeter)

    @lru_cache
    def get_fake_greeter() -> FakeGreeter:
        return FakeGreeter()

    registry.register_factory(FakeGreeter, get_fake_greeter)
    assert registry.get(Greeter) is not registry.get(Greeter)
    assert registry.get(FakeGreeter) is registry.get(FakeGreeter)


def test_override_nests_and_is_undone_even_on_error() -> None:
    registry = ServiceRegistry()
    real = Greeter()
    registry.register_singleton(Greeter, real)
    outer, inner = FakeGreeter(), FakeGreeter()
    with registry.override(Greeter, outer):
        assert registry.get(Greeter) is outer
        with pytest.raises(RuntimeError), registry.override(Greeter, inner):
            assert registry.get(Greeter) is inner
            raise RuntimeError
        assert registry.get(Greeter) is outer
    assert registry.get(Greeter) is real


def test_override_of_unregistered_type_is_an_error() -> None:
    with pytest.raises(ServiceNotRegisteredError), ServiceRegistry().override(Greeter, Greeter()):
        pass


def test_settings_are_registered_by_default() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert build_registry(settings).get(Settings) is settings


async def test_routes_resolve_services_by_type_and_see_overrides() -> None:
    app = FastAPI()
    app.state.registry = ServiceRegistry()
    app.state.registry.register_factory(Greeter, Greeter)

    @app.get("/greet")
    async def greet(greeter: Annotated[Greeter, Service(Greeter)]) -> dict[str, str]:
        return {"greeting": greeter.greet()}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        assert (await http.get("/greet")).json() == {"greeting": "hello"}
        with app.state.registry.override(Greeter, FakeGreeter()):
            assert (await http.get("/greet")).json() == {"greeting": "fake"}
        assert (await http.get("/greet")).json() == {"greeting": "hello"}
