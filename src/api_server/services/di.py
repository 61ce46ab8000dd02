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

from api_server.checks.pipeline_builders import build_server_pipeline
from api_server.event_bus import EventBus
from api_server.events import AuditLogService, get_audit_log_service, register_domain_handlers
from api_server.metrics import Metrics
from api_server.metrics.app_sources import register_app_metrics
from api_server.readiness_pipeline import ReadinessService
from api_server.services.address_service import AddressService
from api_server.services.patient_service import PatientService
from api_server.services.registry import ServiceRegistry
from api_server.settings import Settings

T = TypeVar("T")

__all__ = ["Service", "build_registry", "configure_services"]


def configure_services(registry: ServiceRegistry, settings: Settings) -> None:
    """Register every service of the application, and the domain's event handlers."""
    registry.register_singleton(Settings, settings)
    bus = EventBus(registry)
    registry.register_singleton(EventBus, bus)
    registry.register_factory(AuditLogService, get_audit_log_service)
    registry.register_singleton(PatientService, PatientService(bus))
    registry.register_singleton(AddressService, AddressService(bus))
    register_domain_handlers(bus)
    registry.register_singleton(
        ReadinessService,
        ReadinessService(build_server_pipeline(settings), cache_ttl=settings.health_cache_ttl),
    )
    # Per app (= per worker process); components publish gauges/counters through it.
    metrics = Metrics()
    registry.register_singleton(Metrics, metrics)
    register_app_metrics(metrics, bus, registry.get(ReadinessService))


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
        # async: FastAPI runs a plain-def dependency in the thread pool, a thread hop per call.
        async def resolve(request: Request) -> Any:
            registry: ServiceRegistry = request.app.state.registry
            return registry.get(service_type)

        resolve.__name__ = f"resolve_{service_type.__name__}"
        resolver = _resolvers.setdefault(service_type, resolve)
    return Depends(resolver)
