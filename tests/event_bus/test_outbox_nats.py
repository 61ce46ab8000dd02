"""The relay and NATS JetStream (the real server at 127.0.0.1:4222): one message per event,
`Nats-Msg-Id` = event id, nothing lost while NATS is away, duplicates dropped by JetStream."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from api_server.clock import utcnow
from api_server.database.connection import borrow_db_session
from api_server.event_bus.outbox import DONE, PENDING
from api_server.event_bus.relay import OUTBOX, OutboxRelay
from tests.domains.patients.factories import V1, patient_body
from tests.event_bus.test_outbox import outbox_rows, until
from tests.faults.tcp_proxy import TcpProxy
from tests.fixtures.nats import NatsStream, stream_messages


async def all_done() -> bool:
    rows = await outbox_rows()
    return bool(rows) and all(row["status"] == DONE for row in rows)


async def test_each_event_is_one_message_named_by_its_id(
    app_client: Any, nats_stream: NatsStream
) -> None:
    async with app_client(**nats_stream.settings()) as http:
        created = await http.post(f"{V1}/patients", json=patient_body())
        assert created.status_code == 201
        await until(all_done, "published")
        [row] = await outbox_rows()
    [(subject, message_id, body)] = await stream_messages(nats_stream)
    assert subject == f"{nats_stream.prefix}.PatientCreated"
    assert message_id == str(row["event_id"])
    payload = json.loads(body)
    assert payload["event_id"] == message_id
    assert payload["patient_id"] == created.json()["id"]
    assert payload["occurred_at"].endswith("Z") or payload["occurred_at"].endswith("+00:00")
    assert payload["actor"].startswith("key:")


async def test_events_wait_while_nats_is_away_and_drain_when_it_is_back(
    app_client: Any, nats_stream: NatsStream
) -> None:
    async with TcpProxy(upstream=("127.0.0.1", 4222)) as proxy:
        settings = {**nats_stream.settings(), "nats_url": f"nats://127.0.0.1:{proxy.port}"}
        async with app_client(**settings) as http:
            assert (await http.post(f"{V1}/patients", json=patient_body())).status_code == 201
            await until(all_done, "the first event published")
            proxy.cut()
            for _ in range(3):
                assert (await http.post(f"{V1}/patients", json=patient_body())).status_code == 201
            relay: OutboxRelay = http._transport.app.state.registry.get(OutboxRelay)  # type: ignore[attr-defined]

            async def given_back() -> bool:
                # Claimed, refused by the publisher and given back: due again, the claim's
                # attempt returned. (Pending with no attempt alone also holds before the
                # first claim, and a claim may be under way.)
                waiting = [row for row in await outbox_rows() if row["status"] == PENDING]
                return (
                    relay.publisher is not None
                    and relay.publisher.state.error is not None
                    and len(waiting) == 3
                    and all(
                        row["attempts"] == 0 and row["available_at"] > row["created_at"]
                        for row in waiting
                    )
                )

            await until(given_back, "three events waiting for NATS, no attempt spent")
            health = (await http.post("/health-check")).json()  # run now
            assert health["ready"] is True  # NATS away is a warning, not a reason to stop
            checks = {c["name"]: c for stage in health["stages"] for c in stage["checks"]}
            assert checks["nats"]["status"] == "warning", checks["nats"]
            assert "events wait in the outbox" in checks["nats"]["message"]
            proxy.heal()
            await until(all_done, "the backlog drained", seconds=20)
    assert len(await stream_messages(nats_stream)) == 4


async def test_a_row_published_twice_is_stored_once(
    app_client: Any, nats_stream: NatsStream
) -> None:
    async with app_client(**nats_stream.settings()) as http:
        assert (await http.post(f"{V1}/patients", json=patient_body())).status_code == 201
        await until(all_done, "published")
        relay: OutboxRelay = http._transport.app.state.registry.get(OutboxRelay)  # type: ignore[attr-defined]
        published = relay.stats.published
        # The relay died between JetStream's ack and marking the row: it goes out again.
        async with borrow_db_session() as session:
            await session.execute(sa.update(OUTBOX).values(status=PENDING, available_at=utcnow()))
        relay.notify()

        async def again() -> bool:
            return relay.stats.published > published

        await until(again, "published again")
    assert len(await stream_messages(nats_stream)) == 1
