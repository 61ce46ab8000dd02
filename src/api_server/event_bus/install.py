"""Wiring the bus into an application: one bus per app, drained when the app stops."""

from __future__ import annotations

from fastapi import FastAPI

from api_server.event_bus.bus import EventBus
from api_server.services.registry import ServiceRegistry

__all__ = ["drain_event_bus", "install_event_bus"]


def install_event_bus(app: FastAPI, registry: ServiceRegistry) -> EventBus:
    """Expose the app's bus (created and registered in `services.di.configure_services`)."""
    bus = registry.get(EventBus)
    app.state.event_bus = bus
    return bus


async def drain_event_bus(app: FastAPI, timeout: float) -> int:
    """Lifespan shutdown: wait for fire-and-forget events, up to `timeout` seconds."""
    bus: EventBus = app.state.event_bus
    return await bus.drain(timeout)
