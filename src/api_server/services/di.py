"""Wiring: which services exist and how they are built.

The framework's services are registered here; each domain registers its own in its
`Domain.register` (see `api_server.domain`). Everything is reached one way: by type, from the
app's `ServiceRegistry` (`registry.get(T)`; `Annotated[T, Service(T)]` in a route;
`info.context.service(T)` in a resolver; injected by type into event handlers). The seed's
`get_*_service()` functions are replaced by that: a registry per app, so two apps (tests,
workers) never share a service by accident.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from fastapi import Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from api_server.auth.jwt import JwtVerifier
from api_server.checks.pipeline_builders import build_server_pipeline
from api_server.domain import Domain
from api_server.event_bus import BaseEvent, EventBus
from api_server.event_bus.durable import in_process
from api_server.event_bus.nats import NatsPublisher
from api_server.event_bus.relay import DurableHandlers, OutboxRelay
from api_server.metrics import Metrics
from api_server.metrics.app_sources import register_app_metrics
from api_server.readiness_pipeline import ReadinessService
from api_server.services.registry import ServiceNotRegisteredError, ServiceRegistry
from api_server.settings import Settings
from api_server.shed import Shed

T = TypeVar("T")

__all__ = ["Service", "build_registry", "configure_services", "verify_route_services"]


def configure_services(
    registry: ServiceRegistry, settings: Settings, domains: Sequence[Domain] = ()
) -> None:
    """Register the framework's services, then each domain's services and event handlers."""
    registry.register_singleton(Settings, settings)
    bus = EventBus(registry)
    registry.register_singleton(EventBus, bus)
    durable = DurableHandlers()
    registry.register_singleton(DurableHandlers, durable)
    publisher = None
    if settings.outbox_enabled:
        if settings.nats_url:
            publisher = NatsPublisher(
                settings.nats_url,
                stream=settings.nats_stream,
                subject_prefix=settings.nats_subject_prefix,
            )
            registry.register_singleton(NatsPublisher, publisher)
        relay = OutboxRelay(
            publisher=publisher,
            durable=durable,
            batch=settings.outbox_batch_size,
            lease=settings.outbox_lease,
            max_attempts=settings.outbox_max_attempts,
            poll_interval=settings.outbox_poll_interval,
        )
        registry.register_singleton(OutboxRelay, relay)
        bus.outbox = relay
    else:
        bus.register(BaseEvent, in_process(durable))  # not durable, but not skipped either
    # One verifier per app: its JWKS cache is shared by every request and the readiness check.
    jwt_verifier = JwtVerifier.from_settings(settings)
    if jwt_verifier is not None:
        registry.register_singleton(JwtVerifier, jwt_verifier)
    pipeline = build_server_pipeline(settings, jwt_verifier=jwt_verifier, nats=publisher)
    registry.register_singleton(
        ReadinessService, ReadinessService(pipeline, cache_ttl=settings.health_cache_ttl)
    )
    # Per app (= per worker process); components publish gauges/counters through it.
    metrics = Metrics()
    registry.register_singleton(Metrics, metrics)
    running = registry.get(OutboxRelay) if registry.has(OutboxRelay) else None
    shed = Shed()  # requests answered OVERLOADED, counted where the answer is made
    registry.register_singleton(Shed, shed)
    register_app_metrics(metrics, bus, registry.get(ReadinessService), shed, running)
    for domain in domains:
        if domain.register is not None:
            domain.register(registry)


def build_registry(settings: Settings, domains: Sequence[Domain] = ()) -> ServiceRegistry:
    registry = ServiceRegistry()
    configure_services(registry, settings, domains)
    return registry


_resolvers: dict[type[Any], Callable[[Request], Any]] = {}
_resolved_types: dict[Callable[..., Any], type[Any]] = {}


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
        _resolved_types[resolver] = service_type
    return Depends(resolver)


def _dependency_calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _dependency_calls(sub)


def verify_route_services(app: FastAPI, registry: ServiceRegistry) -> None:
    """Raise at start-up, not on a live request, when a route needs a `Service(T)` that
    nobody registered."""
    routes: Iterable[Any] = app.router.routes
    for route in routes:
        if not isinstance(route, APIRoute):
            continue
        for call in _dependency_calls(route.dependant):
            service_type = _resolved_types.get(call)
            if service_type is not None and not registry.has(service_type):
                raise ServiceNotRegisteredError(service_type, needed_by=f"route {route.path}")
