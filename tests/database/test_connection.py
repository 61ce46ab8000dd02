"""Sessions: the request owns the transaction; outages are 503 problems, never hangs or 500s."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from api_server.app import create_app
from api_server.database.connection import (
    Database,
    ReadConnectionDep,
    SessionDep,
    borrow_db_read_connection,
    borrow_db_session,
    create_database,
    dispose_db,
    get_database,
    init_db,
)
from api_server.domains.patients.base_model import Sex
from api_server.domains.patients.db_model import Patient
from api_server.exceptions import OverloadedError
from api_server.settings import Settings
from tests.serverproc import free_port


def _patient(patient_id: str) -> Patient:
    return Patient(
        patient_id=patient_id,
        first_name="Ada",
        last_name="Lovelace",
        date_of_birth=dt.date(1815, 12, 10),
        sex=Sex.FEMALE,
    )


def _app_with_routes(settings: Settings) -> FastAPI:
    app = create_app(settings)

    @app.post("/t/patients/{patient_id}")
    async def add(patient_id: str, session: SessionDep, fail: bool = False) -> dict[str, str]:
        session.add(_patient(patient_id))
        await session.flush()
        if fail:
            raise RuntimeError("after the insert")
        return {"stored": patient_id}

    @app.post("/t/unflushed/{patient_id}")
    async def add_unflushed(patient_id: str, session: SessionDep) -> dict[str, str]:
        session.add(_patient(patient_id))  # written by the commit after the endpoint returns
        return {"stored": patient_id}

    @app.get("/t/count")
    async def count(session: SessionDep) -> dict[str, int]:
        return {"count": await session.scalar(select(func.count()).select_from(Patient)) or 0}

    @app.get("/t/read-count")
    async def read_count(db: ReadConnectionDep) -> dict[str, int]:
        return {"count": await db.scalar(select(func.count()).select_from(Patient)) or 0}

    @app.get("/t/sleep")
    async def sleep(session: SessionDep, seconds: float) -> dict[str, bool]:
        if get_database().is_sqlite:
            await asyncio.sleep(seconds)
        else:
            await session.execute(text("SELECT pg_sleep(:s)"), {"s": seconds})
        return {"slept": True}

    @app.get("/t/read-sleep")
    async def read_sleep(db: ReadConnectionDep, seconds: float) -> dict[str, bool]:
        await db.execute(text("SELECT pg_sleep(:s)"), {"s": seconds})
        return {"slept": True}

    return app


@pytest.fixture
async def http(any_database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(database_url=any_database_url, db_statement_timeout_ms=300, _env_file=None)  # type: ignore[call-arg]
    app = _app_with_routes(settings)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as client,
    ):
        yield client


async def test_request_commits_once_on_success(http: httpx.AsyncClient) -> None:
    assert (await http.post("/t/patients/P-1")).status_code == 200
    assert (await http.get("/t/count")).json() == {"count": 1}
    assert (await http.get("/t/read-count")).json() == {"count": 1}


async def test_request_rolls_back_on_error(http: httpx.AsyncClient) -> None:
    response = await http.post("/t/patients/P-1", params={"fail": True})
    assert response.status_code == 500
    assert (await http.get("/t/count")).json() == {"count": 0}


async def test_unique_violation_is_a_409_problem_not_a_200(http: httpx.AsyncClient) -> None:
    assert (await http.post("/t/patients/P-1")).status_code == 200
    response = await http.post("/t/patients/P-1")
    assert response.status_code == 409
    assert response.json()["code"] == "CONFLICT"
    assert (await http.get("/t/count")).json() == {"count": 1}


async def test_a_commit_that_fails_is_the_response(http: httpx.AsyncClient) -> None:
    assert (await http.post("/t/unflushed/P-1")).status_code == 200
    response = await http.post("/t/unflushed/P-1")  # the unique violation comes at COMMIT
    assert response.status_code == 409
    assert response.json()["code"] == "CONFLICT"
    assert (await http.get("/t/count")).json() == {"count": 1}


@pytest.mark.postgres
@pytest.mark.parametrize("any_database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("path", ["/t/sleep", "/t/read-sleep"])
async def test_statement_timeout_is_a_503(http: httpx.AsyncClient, path: str) -> None:
    response = await http.get(path, params={"seconds": 2})
    assert response.status_code == 503
    assert response.json()["code"] == "DATABASE_UNAVAILABLE"
    assert "timed out" in response.json()["detail"]
    assert response.headers["retry-after"] == "1"


async def test_borrowed_session_commits_and_rolls_back(database: Database) -> None:
    from api_server.database.alembic_utils import AlembicManager

    await AlembicManager(database).perform_migration()
    import api_server.database.state as connection

    previous, connection._database = connection._database, database
    try:
        async with borrow_db_session() as session:
            session.add(_patient("P-1"))
        with pytest.raises(ValueError, match="boom"):
            async with borrow_db_session() as session:
                session.add(_patient("P-2"))
                await session.flush()
                raise ValueError("boom")
        with pytest.raises(IntegrityError):  # raised by the commit as the block ends
            async with borrow_db_session() as session:
                session.add(_patient("P-1"))
        async with borrow_db_session(write=False) as session:
            ids = (await session.scalars(select(Patient.patient_id))).all()
    finally:
        connection._database = previous
    assert ids == ["P-1"]


@pytest.mark.parametrize("path", ["/t/count", "/t/read-count"])
async def test_database_down_answers_503_fast_while_ping_stays_up(path: str) -> None:
    closed = free_port()  # nothing listens there
    settings = Settings(
        database_url=f"postgresql://app:secret@127.0.0.1:{closed}/app",
        db_connect_timeout=1,
        _env_file=None,  # type: ignore[call-arg]
    )
    app = _app_with_routes(settings)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        app.router.lifespan_context(app),  # start-up does not fail with the database down
        httpx.AsyncClient(transport=transport, base_url="http://t") as http,
    ):
        assert (await http.get("/ping")).status_code == 200
        response = await asyncio.wait_for(http.get(path), timeout=10)
        assert response.status_code == 503
        assert response.json()["code"] == "DATABASE_UNAVAILABLE"
        assert "secret" not in response.text and str(closed) not in response.text
        assert (await http.get("/ping")).status_code == 200


@pytest.mark.parametrize("path", ["/t/count", "/t/read-count"])
async def test_pool_exhaustion_is_a_503_not_a_hang(any_database_url: str, path: str) -> None:
    settings = Settings(
        database_url=any_database_url,
        db_pool_size=1,
        db_max_overflow=0,
        db_pool_timeout=0.5,
        _env_file=None,  # type: ignore[call-arg]
    )
    app = _app_with_routes(settings)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as http,
    ):
        async with get_database().engine.connect() as held:  # the only pooled connection
            await held.execute(text("SELECT 1"))
            response = await asyncio.wait_for(http.get(path), timeout=10)
        assert response.status_code == 503
        assert response.headers["retry-after"] == "1"
        for _ in range(3):  # the one connection (and its turn) comes back after each request
            assert (await http.get(path)).status_code == 200


def _settings_one_connection(url: str, *, timeout: float) -> Settings:
    return Settings(
        database_url=url,
        db_pool_size=1,
        db_max_overflow=0,
        queue_deadline=timeout,  # how long a request waits for the one connection's turn
        _env_file=None,  # type: ignore[call-arg]
    )


def _one_connection(url: str, *, timeout: float) -> Database:
    return create_database(_settings_one_connection(url, timeout=timeout))


async def test_sessions_get_connections_in_arrival_order(any_database_url: str) -> None:
    # SQLAlchemy's async pool lets a newcomer take a connection that was just handed back
    # ahead of the sessions already waiting for one (its queue wakes the first waiter, but
    # whoever runs first takes the connection); under a burst some requests starved for
    # seconds. Here the newcomer is scheduled to run right after the connection comes back.
    init_db(_settings_one_connection(any_database_url, timeout=10))
    served: list[int] = []
    turn = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []

    def newcomer() -> None:
        tasks.append(asyncio.create_task(use(6)))

    async def use(n: int) -> None:
        async with borrow_db_session(write=False) as session:
            await session.execute(text("SELECT 1"))
            served.append(n)
            await turn.wait()  # hold the connection until the test lets go
            if n == 0:
                asyncio.get_running_loop().call_soon(newcomer)

    try:
        tasks.append(asyncio.create_task(use(0)))
        while not served:
            await asyncio.sleep(0.01)
        for n in range(1, 6):
            tasks.append(asyncio.create_task(use(n)))
            await asyncio.sleep(0.01)  # each one queued before the next arrives
        turn.set()
        while len(served) < 7:
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=10)
    finally:
        await dispose_db()
    assert served == [0, 1, 2, 3, 4, 5, 6]


async def test_a_read_connection_takes_a_turn_and_sees_committed_rows(
    any_database_url: str,
) -> None:
    from api_server.database.alembic_utils import AlembicManager

    database = init_db(_settings_one_connection(any_database_url, timeout=0.2))
    await AlembicManager(database).perform_migration()
    try:
        async with borrow_db_session() as session:
            session.add(_patient("P-1"))
        async with borrow_db_read_connection() as connection:
            count = select(func.count()).select_from(Patient)
            assert await connection.scalar(count) == 1
            with pytest.raises(OverloadedError, match="no database connection"):
                async with borrow_db_session(write=False):  # the only turn is taken
                    pass
        async with borrow_db_read_connection() as connection:  # the turn came back
            assert await connection.scalar(count) == 1
    finally:
        await dispose_db()


async def test_a_session_that_waits_past_the_queue_deadline_is_a_503_overloaded(
    any_database_url: str,
) -> None:
    database = _one_connection(any_database_url, timeout=0.2)
    try:
        async with database.connection_turn():
            with pytest.raises(OverloadedError, match="no database connection"):
                async with database.connection_turn():
                    pass
        async with database.connection_turn():  # the permit came back
            pass
    finally:
        await database.dispose()


@pytest.mark.postgres
async def test_connections_the_server_closed_are_replaced_before_use(
    fresh_pg_database_url: str,
) -> None:
    # Recently used connections are not pinged (a round trip per request under load); one the
    # server terminated while it sat in the pool must still never reach a request.
    database = create_database(
        Settings(database_url=fresh_pg_database_url, _env_file=None)  # type: ignore[call-arg]
    )

    async def backend_pids() -> set[int]:
        async def one() -> int:
            async with database.sessionmaker() as session:
                pid = await session.scalar(text("SELECT pg_backend_pid()"))
                await asyncio.sleep(0.05)  # held together: several pooled connections
                return int(pid or 0)

        return set(await asyncio.gather(*(one() for _ in range(4))))

    try:
        before = await backend_pids()
        admin = await asyncpg.connect(fresh_pg_database_url)  # not one of the pool's
        try:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) pid", list(before)
            )
            async with asyncio.timeout(5):  # the backends are gone server-side
                while await admin.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1::int[])", list(before)
                ):
                    await asyncio.sleep(0.02)
        finally:
            await admin.close()
        # Their sockets' EOF reaches the pool's connections on the next loop turns; well under
        # PING_AFTER_IDLE_S, so only the closed-socket check can keep them from a session.
        await asyncio.sleep(0.1)
        after = await backend_pids()  # raises if a dead connection were handed out
    finally:
        await database.dispose()
    assert len(before) == 4
    assert not before & after


async def test_writers_queued_on_sqlite_do_not_hold_back_reads(tmp_path: Path) -> None:
    # Two connection turns; one writer writes, a second waits for SQLite's writer lock. A read
    # must still get the other turn instead of waiting behind the queued writer.
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
        db_pool_size=2,
        db_max_overflow=0,
        db_pool_timeout=0.5,
        _env_file=None,  # type: ignore[call-arg]
    )
    init_db(settings)
    try:
        writing, release = asyncio.Event(), asyncio.Event()

        async def write() -> None:
            async with borrow_db_session(write=True) as session:
                await session.execute(text("SELECT 1"))
                writing.set()
                await release.wait()

        first = asyncio.create_task(write())
        await writing.wait()
        queued = asyncio.create_task(write())  # waits for the writer lock
        await asyncio.sleep(0.05)
        async with borrow_db_session(write=False) as session:  # within the pool timeout
            assert await session.scalar(text("SELECT 1")) == 1
        release.set()
        await asyncio.wait_for(asyncio.gather(first, queued), timeout=10)
    finally:
        await dispose_db()


@pytest.mark.postgres
async def test_pings_go_only_to_idle_or_suspect_connections(
    fresh_pg_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings: list[str] = []
    execute = asyncpg.Connection.execute

    async def counting(self: asyncpg.Connection, query: str, *args: Any, **kwargs: Any) -> str:
        if query == "SELECT 1":  # the ping; statements of sessions go through prepare
            pings.append(query)
        return await execute(self, query, *args, **kwargs)

    monkeypatch.setattr(asyncpg.Connection, "execute", counting)
    settings = _settings_one_connection(fresh_pg_database_url, timeout=5)
    database = create_database(settings.model_copy(update={"db_statement_timeout_ms": 100}))

    async def run(statement: str) -> None:
        async with database.sessionmaker() as session:
            await session.execute(text(statement))

    try:
        await run("SELECT 2")  # a fresh connection
        await run("SELECT 2")  # used a moment ago
        assert pings == []
        with pytest.raises(DBAPIError):
            await run("SELECT pg_sleep(1)")  # statement timeout: the connection is suspect
        await run("SELECT 2")
        assert pings == ["SELECT 1"]
        await run("SELECT 2")
        assert pings == ["SELECT 1"]
    finally:
        await database.dispose()


async def test_sqlite_read_sessions_end_without_a_rollback_round_trip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No BEGIN was sent, so nothing to roll back: aiosqlite's rollback is a thread hop for
    # nothing. A write session that fails still rolls back.
    import aiosqlite

    rollbacks: list[None] = []
    rollback = aiosqlite.Connection.rollback

    async def counting(self: aiosqlite.Connection) -> None:
        rollbacks.append(None)
        await rollback(self)

    monkeypatch.setattr(aiosqlite.Connection, "rollback", counting)
    init_db(
        Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", _env_file=None)  # type: ignore[call-arg]
    )
    try:
        for _ in range(3):
            async with borrow_db_session(write=False) as session:
                assert await session.scalar(text("SELECT 1")) == 1
        assert rollbacks == []
        with pytest.raises(RuntimeError):
            async with borrow_db_session(write=True) as session:
                await session.execute(text("CREATE TABLE t (x INTEGER)"))
                raise RuntimeError("after the write")
        assert rollbacks != []
        async with borrow_db_session(write=False) as session:
            tables = await session.scalars(text("SELECT name FROM sqlite_master"))
            assert "t" not in list(tables)
    finally:
        await dispose_db()
