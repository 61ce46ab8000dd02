"""Wiring the bus into an application: one bus per app, drained when the app stops."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI
from loguru import logger

from api_server.database.connection import current_database
from api_server.event_bus.bus import EventBus
from api_server.event_bus.outbox import OUTBOX_CHANNEL
from api_server.event_bus.relay import OutboxRelay
from api_server.services.registry import ServiceRegistry

__all__ = ["drain_event_bus", "install_event_bus", "running_relay"]


def install_event_bus(app: FastAPI, registry: ServiceRegistry) -> EventBus:
    """Expose the app's bus (created and registered in `services.di.configure_services`)."""
    bus = registry.get(EventBus)
    app.state.event_bus = bus
    return bus


async def drain_event_bus(app: FastAPI, timeout: float) -> int:
    """Lifespan shutdown: wait for fire-and-forget events, up to `timeout` seconds."""
    bus: EventBus = app.state.event_bus
    return await bus.drain(timeout)


@asynccontextmanager
async def running_relay(registry: ServiceRegistry) -> AsyncIterator[None]:
    """Lifespan: the outbox relay runs while the block does (when the outbox is on); at the
    end it finishes its round and NATS is drained."""
    if not registry.has(OutboxRelay):
        yield
        return
    relay = registry.get(OutboxRelay)
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop), name="outbox-relay")
    listener = asyncio.create_task(_listen(relay, stop), name="outbox-listen")
    try:
        yield
    finally:
        stop.set()
        listener.cancel()
        try:
            await asyncio.wait_for(task, timeout=10)
        except TimeoutError:
            logger.warning("outbox relay did not stop within 10 s; its claims expire by lease")
        if relay.publisher is not None:
            await relay.publisher.close()


async def _listen(relay: OutboxRelay, stop: asyncio.Event) -> None:
    """PostgreSQL: LISTEN on the outbox channel on a connection of its own, so a commit in any
    instance (or in the CLI) wakes this relay at once; reconnects after losing it. The relay
    still polls: a missed notification costs at most one poll interval."""
    database = current_database()
    if database is None or database.url.get_backend_name() != "postgresql":
        return
    dsn = database.url.set(drivername="postgresql").render_as_string(hide_password=False)
    while not stop.is_set():
        try:
            connection = await asyncpg.connect(dsn, timeout=5)
        except (OSError, asyncpg.PostgresError) as error:
            logger.debug("outbox LISTEN connection failed: {}", error)
            await asyncio.sleep(5)
            continue
        try:
            await connection.add_listener(OUTBOX_CHANNEL, lambda *_: relay.notify())
            while not stop.is_set() and not connection.is_closed():
                await asyncio.sleep(1)
        except (OSError, asyncpg.PostgresError) as error:
            logger.debug("outbox LISTEN connection lost: {}", error)
        finally:
            if not connection.is_closed():
                await connection.close(timeout=2)
