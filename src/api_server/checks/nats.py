"""`NatsCheck`: whether the events' NATS JetStream takes messages (when NATS is configured)."""

from __future__ import annotations

from api_server.event_bus.nats import NatsPublisher, TransportUnavailableError
from api_server.readiness_pipeline import ReadinessCheck, ReadinessCheckResult

__all__ = ["NatsCheck"]


class NatsCheck(ReadinessCheck):
    """Connects when not connected. Non-critical: with NATS away the outbox keeps every
    event and the relay drains the backlog once NATS is back; requests are unaffected."""

    def __init__(self, publisher: NatsPublisher) -> None:
        super().__init__("nats", is_critical=False)
        self._publisher = publisher

    async def _execute(self) -> ReadinessCheckResult:
        details = {"stream": self._publisher.stream}
        try:
            await self._publisher.connect()
        except TransportUnavailableError as error:
            return self.warning(f"{error}; events wait in the outbox", details)
        return self.success(f"connected; stream {self._publisher.stream}", details)
