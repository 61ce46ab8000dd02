"""Fixtures for the event bus: a registry with a couple of services, a bus, captured logs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from loguru import logger

from api_server.event_bus import BaseEvent, EventBus
from api_server.services.registry import ServiceRegistry


class OrderCreated(BaseEvent):
    order_id: str


class PriorityOrderCreated(OrderCreated):
    priority: int = 1


@dataclass
class Mailer:
    """A stand-in service: remembers what it was asked to send."""

    sent: list[str] = field(default_factory=list)


class NotRegistered:
    pass


@pytest.fixture
def mailer() -> Mailer:
    return Mailer()


@pytest.fixture
def registry(mailer: Mailer) -> ServiceRegistry:
    registry = ServiceRegistry()
    registry.register_singleton(Mailer, mailer)
    return registry


@pytest.fixture
def bus(registry: ServiceRegistry) -> EventBus:
    return EventBus(registry)


@dataclass
class CapturedLog:
    level: str
    message: str
    exception: BaseException | None
    traceback: Any


@pytest.fixture
def logs() -> Iterator[list[CapturedLog]]:
    """Every loguru record written during the test."""
    records: list[CapturedLog] = []

    def sink(message: Any) -> None:
        record = message.record
        exc = record["exception"]
        records.append(
            CapturedLog(
                record["level"].name,
                record["message"],
                exc.value if exc else None,
                exc.traceback if exc else None,
            )
        )

    sink_id = logger.add(sink, level="DEBUG", format="{message}")
    yield records
    logger.remove(sink_id)
