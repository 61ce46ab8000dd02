"""Publishing outbox rows to NATS JetStream (nats-py), acknowledged, de-duplicated by id.

Subject `<prefix>.<EventClassName>`, body the event as JSON (`event_id`, `occurred_at`,
`actor`, its fields), header `Nats-Msg-Id` = the event id: JetStream drops a message whose
id it has seen within its duplicate window (2 minutes by default), so a row published twice
(a relay that died between the ack and marking the row done) is stored once.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import nats
import pydantic_core
from loguru import logger
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

__all__ = ["NatsPublisher", "NatsState", "TransportUnavailableError"]

CONNECT_TIMEOUT = 2.0
PUBLISH_TIMEOUT = 5.0


class TransportUnavailableError(Exception):
    """NATS cannot take messages now: rows wait (their attempts are not spent)."""


@dataclass(frozen=True)
class NatsState:
    connected: bool
    error: str | None


class NatsPublisher:
    def __init__(self, url: str, *, stream: str, subject_prefix: str) -> None:
        self.url = url
        self.stream = stream
        self.prefix = subject_prefix
        self._client: Client | None = None
        self._js: JetStreamContext | None = None
        self._error: str | None = None
        self._lock = asyncio.Lock()

    @property
    def state(self) -> NatsState:
        client = self._client
        return NatsState(client is not None and client.is_connected, self._error)

    async def connect(self) -> None:
        """Connect (and create the stream) unless connected; TransportUnavailableError."""
        await self._context()

    def subject(self, name: str) -> str:
        return f"{self.prefix}.{name}"

    async def _context(self) -> JetStreamContext:
        async with self._lock:
            if self._client is not None and self._client.is_connected and self._js is not None:
                return self._js
            if self._client is not None and not self._client.is_closed:
                # nats-py is reconnecting by itself; publishing now would only time out.
                raise TransportUnavailableError("NATS connection lost; reconnecting")
            try:
                client = await nats.connect(
                    self.url,
                    connect_timeout=CONNECT_TIMEOUT,
                    allow_reconnect=True,
                    max_reconnect_attempts=-1,
                    reconnect_time_wait=0.5,
                    error_cb=self._on_error,
                )
                js = client.jetstream(timeout=PUBLISH_TIMEOUT)
                await self._ensure_stream(js)
            except Exception as error:
                self._error = f"cannot reach NATS: {type(error).__name__}"
                raise TransportUnavailableError(self._error) from error
            self._client, self._js, self._error = client, js, None
            logger.info("NATS connected; stream {} for {}.>", self.stream, self.prefix)
            return js

    async def _ensure_stream(self, js: JetStreamContext) -> None:
        try:
            await js.stream_info(self.stream)
        except NotFoundError:
            await js.add_stream(name=self.stream, subjects=[f"{self.prefix}.>"])

    async def _on_error(self, error: Exception) -> None:
        self._error = f"NATS: {type(error).__name__}"

    async def publish(self, name: str, event_id: str, body: bytes) -> None:
        """Publish and wait for JetStream's acknowledgement; TransportUnavailableError when
        NATS cannot take it now."""
        js = await self._context()
        try:
            await js.publish(
                self.subject(name),
                body,
                timeout=PUBLISH_TIMEOUT,
                headers={"Nats-Msg-Id": event_id},
            )
        except Exception as error:
            self._error = f"publish failed: {type(error).__name__}"
            raise TransportUnavailableError(self._error) from error
        self._error = None

    async def close(self) -> None:
        client, self._client, self._js = self._client, None, None
        if client is not None and not client.is_closed:
            try:
                await client.drain()
            except Exception as error:  # noqa: BLE001  # closing: nothing left to lose
                logger.debug("NATS drain at shutdown: {}", error)


def encode(payload: dict[str, Any]) -> bytes:
    """The message body: the event's JSON (pydantic-core's encoder, as the responses use)."""
    return pydantic_core.to_json(payload)
