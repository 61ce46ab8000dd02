"""The transactional outbox and its relay: rows exactly for committed changes, durable handlers
run once per event, retries, the dead letter, and the (absence of) order, as documented."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession

from api_server.clock import utcnow
from api_server.database.connection import borrow_db_session, create_database
from api_server.domains.patients.api_model import PatientCreate
from api_server.domains.patients.base_model import Sex
from api_server.domains.patients.events import PatientCreated
from api_server.domains.patients.service import PatientService
from api_server.event_bus import EventBus, publish_after_commit
from api_server.event_bus.outbox import DEAD, DONE, PENDING, PROCESSED_EVENTS, record_for
from api_server.event_bus.relay import OUTBOX, DurableHandlers, OutboxRelay
from api_server.services.registry import ServiceRegistry
from api_server.settings import Settings
from tests.domains.patients.factories import V1, audit_trail, patient_body
from tests.fixtures.database import empty_database


async def outbox_rows() -> list[sa.RowMapping]:
    async with borrow_db_session() as session:
        query = sa.select(OUTBOX).order_by(OUTBOX.c.event_id)
        return list((await session.execute(query)).mappings())


async def until(check: Callable[[], Awaitable[bool]], what: str, seconds: float = 10) -> None:
    for _ in range(int(seconds / 0.02)):
        if await check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"not within {seconds} s: {what}")


def new_patient() -> PatientCreate:
    return PatientCreate(
        first_name="Out", last_name="Box", date_of_birth=date(1990, 1, 1), sex=Sex.FEMALE
    )


async def test_an_event_is_in_the_outbox_exactly_when_its_change_committed(
    api: httpx.AsyncClient, backend_app: FastAPI
) -> None:
    created = await api.post(f"{V1}/patients", json=patient_body())
    assert created.status_code == 201
    service: PatientService = backend_app.state.registry.get(PatientService)

    with pytest.raises(RuntimeError):
        async with borrow_db_session() as session:
            await service.create(session=session, data=new_patient())
            raise RuntimeError("the request failed after the change")
    async with borrow_db_session() as session:
        await session.execute(sa.select(1))
        with pytest.raises(LookupError):
            async with session.begin_nested():  # a savepoint rolled back in a committed tx
                await service.create(session=session, data=new_patient())
                raise LookupError

    rows = await outbox_rows()
    assert [(row["name"], row["payload"]["patient_id"]) for row in rows] == [
        ("PatientCreated", created.json()["id"])
    ]
    assert rows[0]["payload"]["actor"].startswith("key:")


async def test_a_redelivered_event_does_not_run_a_durable_handler_twice(
    api: httpx.AsyncClient, backend_app: FastAPI
) -> None:
    assert (await api.post(f"{V1}/patients", json=patient_body())).status_code == 201
    assert len(await audit_trail(api)) == 1
    relay: OutboxRelay = backend_app.state.registry.get(OutboxRelay)
    delivered = relay.stats.published
    # A relay that died after running the handlers but before marking the row done: the row
    # is due again and delivered again.
    async with borrow_db_session() as session:
        await session.execute(sa.update(OUTBOX).values(status=PENDING, available_at=utcnow()))
    relay.notify()

    async def delivered_again() -> bool:
        return relay.stats.published > delivered and (await outbox_rows())[0]["status"] == DONE

    await until(delivered_again, "the row delivered again")
    assert len(await audit_trail(api)) == 1
    async with borrow_db_session() as session:
        processed = (await session.execute(sa.select(PROCESSED_EVENTS))).all()
    assert len(processed) == 1


async def test_a_failing_durable_handler_is_retried_then_dead_lettered(app_client: Any) -> None:
    calls: list[uuid.UUID] = []

    async def fails(event: Any, session: AsyncSession) -> None:
        calls.append(event.event_id)
        raise ValueError("the warehouse said no")

    def register(app: FastAPI) -> None:
        app.state.registry.get(DurableHandlers).register(PatientCreated, "test.fails", fails)

    async with app_client(routes=register, outbox_max_attempts=2) as http:
        assert (await http.post(f"{V1}/patients", json=patient_body())).status_code == 201

        async def dead() -> bool:
            return (await outbox_rows())[0]["status"] == DEAD

        await until(dead, "dead-lettered after 2 attempts")
        row = (await outbox_rows())[0]
        assert row["attempts"] == 2 and "ValueError: the warehouse said no" in row["last_error"]
        assert calls and set(calls) == {row["event_id"]}
        # The audit trail ran on the first attempt and was not run again on the second.
        assert len(await audit_trail(http)) == 1
        metrics = (await http.get("/metrics")).text
        assert 'outbox_events_total{outcome="dead_lettered"} 1.0' in metrics


async def test_order_is_event_id_order_within_a_round_and_none_across_retries(
    app_client: Any,
) -> None:
    failures: dict[int, int] = {}

    async def record(event: Any, session: AsyncSession) -> None:
        number = int(event.patient_code)
        if number == 2 and failures.get(number, 0) < 2:  # fails for the whole first round
            failures[number] = failures.get(number, 0) + 1
            raise RuntimeError("event 2 fails in the first round")

    async def committed_order() -> list[int]:
        # What the handler's runs left behind, in the order they committed.
        query = (
            sa.select(PROCESSED_EVENTS.c.event_id)
            .where(PROCESSED_EVENTS.c.handler == "test.order")
            .order_by(PROCESSED_EVENTS.c.processed_at)
        )
        async with borrow_db_session() as session:
            ids = list((await session.execute(query)).scalars())
        return [numbers[event_id] for event_id in ids]

    # Polling off in practice: rows inserted below wake no relay; ours runs the rounds.
    async with app_client(outbox_poll_interval=60) as http:
        assert http is not None
        numbers: dict[uuid.UUID, int] = {}
        async with borrow_db_session() as session:
            for number in range(1, 6):
                event = PatientCreated(patient_id=uuid.uuid4(), patient_code=str(number))
                numbers[event.event_id] = number
                session.add(record_for(event))
        durable = DurableHandlers()
        durable.register(PatientCreated, "test.order", record)
        relay = OutboxRelay(publisher=None, durable=durable)
        assert await relay.run_round() == (5, False)
        assert await committed_order() == [1, 3, 4, 5]  # in id order; 2 failed
        async with borrow_db_session() as session:  # its backoff, passed
            await session.execute(sa.update(OUTBOX).values(available_at=utcnow()))
        assert await relay.run_round() == (1, False)
        assert await committed_order() == [1, 3, 4, 5, 2]  # a retried event after newer ones


@pytest.mark.postgres
async def test_a_commit_anywhere_wakes_the_relay_through_notify(
    pg_database_url: str, app_client: Any
) -> None:
    """Another process's commit (the CLI, another instance) wakes this instance's relay at
    once through PostgreSQL's NOTIFY, not after its poll interval (set to a minute here)."""
    other_bus = EventBus(ServiceRegistry())
    other_bus.outbox = SimpleNamespace(notify=lambda: None)  # stages rows, has no relay
    other = create_database(Settings(database_url=pg_database_url, _env_file=None))  # type: ignore[call-arg]
    try:
        url = SecretStr(pg_database_url)
        async with app_client(database_url=url, outbox_poll_interval=60) as http:
            assert http is not None
            await asyncio.sleep(0.2)  # past the relay's first round at start-up
            async with other.write_sessionmaker() as session, session.begin():
                await session.execute(sa.select(1))
                event = PatientCreated(patient_id=uuid.uuid4(), patient_code="P-NOTIFY")
                publish_after_commit(session, event, bus=other_bus)

            async def delivered() -> bool:
                rows = [r for r in await outbox_rows() if r["event_id"] == event.event_id]
                return bool(rows) and rows[0]["status"] == DONE

            await until(delivered, "delivered long before the poll interval", seconds=5)
    finally:
        await other.dispose()
        await empty_database(pg_database_url)


async def test_with_the_outbox_off_durable_handlers_run_in_process(app_client: Any) -> None:
    async with app_client(outbox_enabled=False) as http:
        assert (await http.post(f"{V1}/patients", json=patient_body())).status_code == 201
        assert len(await audit_trail(http)) == 1  # after the commit, in this process
        assert await outbox_rows() == []  # nothing kept for later
