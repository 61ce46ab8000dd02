"""Wiring: which services exist and how they are built. The one place to register a service.

Two ways in, as the seed describes:
- services and checks call `get_*_service()` (a singleton via `@lru_cache`);
- routes, GraphQL resolvers and event handlers resolve by type from the app's `ServiceRegistry`
  (`Annotated[FooService, Service(FooService)]` in a route).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Depends, Request

from api_server.metrics import Metrics
from api_server.services.registry import ServiceRegistry
from api_server.settings import Settings

T = TypeVar("T")

__all__ = ["Service", "build_registry", "configure_services"]


def configure_services(registry: ServiceRegistry, settings: Settings) -> None:
    """Register every service of the application."""
    registry.register_singleton(Settings, settings)
    # Per app (= per worker process); components publish gauges/counters through it.
    registry.register_singleton(Metrics, Metrics())


def build_registry(settings: Settings) -> ServiceRegistry:
    registry = ServiceRegistry()
    configure_services(registry, settings)
    return registry


_resolvers: dict[type[Any], Callable[[Request], Any]] = {}


def Service(service_type: type[T]) -> Any:  # capitalised: reads like a type in Annotated[...]
    """FastAPI dependency resolving `service_type` from the app's registry.

    `PatientServiceDep = Annotated[PatientService, Service(PatientService)]`
    """
    resolver = _resolvers.get(service_type)
    if resolver is None:

        def resolve(request: Request) -> Any:
            registry: ServiceRegistry = request.app.state.registry
            return registry.get(service_type)

        resolve.__name__ = f"resolve_{service_type.__name__}"
        resolver = _resolvers.setdefault(service_type, resolve)
    return Depends(resolver)
