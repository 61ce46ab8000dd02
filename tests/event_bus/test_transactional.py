"""publish_after_commit(): delivery after COMMIT only, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from api_server.event_bus import EventBus, NoTransactionError, publish_after_commit
from tests.event_bus.conftest import CapturedLog, OrderCreated
from tests.event_bus.database import Row, create_schema, make_engine


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, sqlite_database_url: str) -> str:
    # Sync on purpose: the PostgreSQL fixtures run their own event loop to create the database.
    if request.param == "sqlite":
        return sqlite_database_url
    url: str = request.getfixturevalue("pg_database_url")
    return url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    url = database_url
    engine = make_engine(url)
    await create_schema(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def delivered(bus: EventBus) -> list[str]:
    seen: list[str] = []

    async def record(event: OrderCreated) -> None:
        seen.append(event.order_id)

    bus.register(OrderCreated, record)
    return seen


async def raise_and_write(session: AsyncSession, bus: EventBus, order_id: str) -> None:
    """What a service does: write a row, and raise the event that says so."""
    event = OrderCreated(order_id=order_id)
    session.add(Row(id=event.event_id))
    await session.flush()
    publish_after_commit(session, event, bus=bus)


async def settle(bus: EventBus) -> None:
    assert await bus.drain(timeout=30) == 0


async def row_count(engine: AsyncEngine) -> int:
    async with AsyncSession(engine) as session:
        return len((await session.scalars(select(Row.id))).all())


async def test_delivered_only_after_commit(
    engine: AsyncEngine, bus: EventBus, delivered: list[str]
) -> None:
    async with AsyncSession(engine) as session:
        await raise_and_write(session, bus, "a")
        await raise_and_write(session, bus, "b")
        await settle(bus)
        assert delivered == []  # not before the commit
        await session.commit()
    await settle(bus)
    assert delivered == ["a", "b"]  # in the order they were raised
    assert await row_count(engine) == 2


async def test_dropped_on_rollback(
    engine: AsyncEngine, bus: EventBus, delivered: list[str]
) -> None:
    async with AsyncSession(engine) as session:
        await raise_and_write(session, bus, "a")
        await session.rollback()
        # The session goes on with a new transaction: only that one's events count.
        await raise_and_write(session, bus, "b")
        await session.commit()
    await settle(bus)
    assert delivered == ["b"]
    assert await row_count(engine) == 1


async def test_dropped_when_the_session_closes_without_commit(
    engine: AsyncEngine, bus: EventBus, delivered: list[str]
) -> None:
    async with AsyncSession(engine) as session:
        await raise_and_write(session, bus, "a")
    await settle(bus)
    assert delivered == []


async def test_begin_context_manager_commits_and_delivers(
    engine: AsyncEngine, bus: EventBus, delivered: list[str]
) -> None:
    async with AsyncSession(engine) as session, session.begin():
        await raise_and_write(session, bus, "a")
    await settle(bus)
    assert delivered == ["a"]


async def test_savepoint_rolled_back_drops_only_its_events(
    engine: AsyncEngine, bus: EventBus, delivered: list[str]
) -> None:
    async with AsyncSession(engine) as session:
        await raise_and_write(session, bus, "outer")
        savepoint = await session.begin_nested()
        await raise_and_write(session, bus, "inner")
        await savepoint.rollback()
        await session.commit()
    await settle(bus)
    assert delivered == ["outer"]
    assert await row_count(engine) == 1


async def test_released_savepoint_waits_for_the_outer_commit(
    engine: AsyncEngine, bus: EventBus, delivered: list[str]
) -> None:
    async with AsyncSession(engine) as session:
        async with session.begin_nested():
            await raise_and_write(session, bus, "inner")
        await settle(bus)
        assert delivered == []  # released, not committed
        await raise_and_write(session, bus, "after")
        await session.commit()
    await settle(bus)
    assert delivered == ["inner", "after"]


async def test_released_savepoint_is_dropped_with_its_rolled_back_parent(
    engine: AsyncEngine, bus: EventBus, delivered: list[str]
) -> None:
    async with AsyncSession(engine) as session:
        await raise_and_write(session, bus, "outer")
        outer_savepoint = await session.begin_nested()
        async with session.begin_nested():
            await raise_and_write(session, bus, "innermost")
        await outer_savepoint.rollback()
        await session.commit()
        await session.begin()
        await raise_and_write(session, bus, "x")
        await session.begin_nested()  # left open: the outer rollback discards it too
        await raise_and_write(session, bus, "y")
        await session.rollback()
    await settle(bus)
    assert delivered == ["outer"]


async def test_failed_commit_drops_the_events(
    engine: AsyncEngine, bus: EventBus, delivered: list[str]
) -> None:
    taken = uuid.uuid4()
    async with AsyncSession(engine) as session:
        session.add(Row(id=taken))
        await session.commit()
    async with AsyncSession(engine) as session:
        await raise_and_write(session, bus, "a")
        session.add(Row(id=taken))  # flushed by commit: duplicate key
        with pytest.raises(IntegrityError):
            await session.commit()
        await session.rollback()
    await settle(bus)
    assert delivered == []


async def test_handler_failure_after_commit_keeps_the_data(
    engine: AsyncEngine, bus: EventBus, delivered: list[str], logs: list[CapturedLog]
) -> None:
    async def broken(event: OrderCreated) -> None:
        raise RuntimeError("downstream is down")

    bus.register(OrderCreated, broken)
    async with AsyncSession(engine) as session:
        await raise_and_write(session, bus, "a")
        await session.commit()  # does not raise
    await settle(bus)
    assert delivered == ["a"]
    assert await row_count(engine) == 1
    assert [type(log.exception) for log in logs if log.level == "ERROR"] == [RuntimeError]


async def test_no_transaction_is_an_error(engine: AsyncEngine, bus: EventBus) -> None:
    async with AsyncSession(engine) as session:
        with pytest.raises(NoTransactionError, match="has none in progress"):
            publish_after_commit(session, OrderCreated(order_id="a"), bus=bus)


async def test_concurrent_sessions_keep_their_own_events(
    engine: AsyncEngine, bus: EventBus, delivered: list[str]
) -> None:
    async def unit_of_work(order_id: str, commit: bool) -> None:
        async with AsyncSession(engine) as session:
            await raise_and_write(session, bus, order_id)
            await asyncio.sleep(0)
            await (session.commit() if commit else session.rollback())

    if engine.dialect.name == "sqlite":  # one writer at a time on SQLite
        for n in range(6):
            await unit_of_work(str(n), commit=n % 2 == 0)
    else:
        await asyncio.gather(*(unit_of_work(str(n), commit=n % 2 == 0) for n in range(6)))
    await settle(bus)
    assert sorted(delivered) == ["0", "2", "4"]


def test_sync_session_outside_the_loop_logs_the_lost_events_without_failing_the_commit(
    sqlite_database_url: str, bus: EventBus, logs: list[CapturedLog]
) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from tests.event_bus.database import Base

    engine = create_engine(sqlite_database_url)
    Base.metadata.create_all(engine)
    try:
        with Session(engine) as session:
            event = OrderCreated(order_id="a")
            session.add(Row(id=event.event_id))
            session.flush()
            publish_after_commit(session, event, bus=bus)
            session.commit()  # the data is committed: this must not raise
        with Session(engine) as session:
            assert session.scalars(select(Row.id)).all() == [event.event_id]
    finally:
        engine.dispose()
    errors = [log for log in logs if log.level == "ERROR"]
    assert [log.message for log in errors] == ["1 committed event(s) could not be published"]
    assert isinstance(errors[0].exception, RuntimeError)
