"""Property: delivered events == events of committed transactions, each exactly once.

A hypothesis state machine drives a real AsyncSession through writes, savepoints, commits and
rollbacks while a handler fails on some events, and checks after every step that what the bus
delivered (and what the table holds) is exactly what the model says was committed.
"""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, AsyncSessionTransaction

from api_server.event_bus import BaseEvent, EventBus, publish_after_commit
from api_server.services.registry import ServiceRegistry
from tests.event_bus.database import Row, create_schema, make_engine

T = TypeVar("T")


class Written(BaseEvent):
    poison: bool  # the failing handler raises on these


class HandlerFailed(Exception):
    pass


class TransactionMachine(RuleBasedStateMachine):
    def __init__(self, database_url: str) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.engine = make_engine(database_url)
        self.run(create_schema(self.engine))
        self.session = AsyncSession(self.engine)
        self.bus = EventBus(ServiceRegistry())
        self.delivered: list[uuid.UUID] = []

        async def poisoned(event: Written) -> None:
            if event.poison:
                raise HandlerFailed(str(event.event_id))

        async def record(event: Written) -> None:
            self.delivered.append(event.event_id)

        # The failing handler runs first: the recorder must still see every event.
        self.bus.register(Written, poisoned)
        self.bus.register(Written, record)
        # Model: one frame of raised event ids per open transaction, outermost first.
        self.frames: list[list[uuid.UUID]] = []
        self.savepoints: list[AsyncSessionTransaction] = []
        self.committed: list[uuid.UUID] = []
        self.poisoned: set[uuid.UUID] = set()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    def _ensure_root(self) -> None:
        if not self.frames:
            self.frames.append([])  # the session autobegins on first use

    @rule(poison=st.booleans())
    def raise_event(self, poison: bool) -> None:
        self._ensure_root()
        event = Written(poison=poison)
        self.session.add(Row(id=event.event_id))
        self.run(self.session.flush())
        publish_after_commit(self.session, event, bus=self.bus)
        self.frames[-1].append(event.event_id)
        if poison:
            self.poisoned.add(event.event_id)

    @rule()
    def begin_savepoint(self) -> None:
        self._ensure_root()
        self.savepoints.append(self.run(self.session.begin_nested()))
        self.frames.append([])

    @precondition(lambda self: bool(self.savepoints))
    @rule()
    def release_savepoint(self) -> None:
        self.run(self.savepoints.pop().commit())
        released = self.frames.pop()
        self.frames[-1].extend(released)

    @precondition(lambda self: bool(self.savepoints))
    @rule()
    def rollback_savepoint(self) -> None:
        self.run(self.savepoints.pop().rollback())
        self.frames.pop()

    @precondition(lambda self: bool(self.frames))
    @rule()
    def commit(self) -> None:
        """Commit the whole transaction, releasing any savepoint still open."""
        self.run(self.session.commit())
        self.committed.extend(event_id for frame in self.frames for event_id in frame)
        self.frames.clear()
        self.savepoints.clear()

    @precondition(lambda self: bool(self.frames))
    @rule()
    def rollback(self) -> None:
        self.run(self.session.rollback())
        self.frames.clear()
        self.savepoints.clear()

    @invariant()
    def delivered_is_exactly_what_was_committed(self) -> None:
        assert self.run(self.bus.drain(timeout=30)) == 0
        assert self.delivered == self.committed  # same events, same order, each once
        stats = self.bus.stats
        assert stats.handler_failures == len(self.poisoned.intersection(self.committed))
        assert stats.emitted == len(self.committed)

    @invariant()
    def table_holds_exactly_what_was_committed(self) -> None:
        async def committed_rows() -> set[uuid.UUID]:
            async with AsyncSession(self.engine) as reader:
                return set((await reader.scalars(select(Row.id))).all())

        assert self.run(committed_rows()) == set(self.committed)

    def teardown(self) -> None:
        try:
            self.run(self.session.close())
            self.run(self.engine.dispose())
        finally:
            self.loop.close()


def _run(database_url: str, examples: int) -> None:
    run_state_machine_as_test(
        lambda: TransactionMachine(database_url),
        settings=settings(
            max_examples=examples,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


def test_sqlite_delivers_exactly_the_committed_events() -> None:
    with tempfile.TemporaryDirectory() as folder:
        _run(f"sqlite:///{Path(folder) / 'machine.db'}", examples=60)


@pytest.mark.postgres
def test_postgres_delivers_exactly_the_committed_events(pg_database_url: str) -> None:
    _run(pg_database_url, examples=25)
