"""A finished request leaves no reference cycle holding it.

CPython frees an object the moment its last reference goes, unless it sits in a reference
cycle: then it waits for the cyclic garbage collector. Under load most requests are still in
flight when the young generations are collected, so their cycles move to the oldest one,
collected only every few hundred requests: a cycle through a GraphQL request kept its whole
request (body, headers, context, loaders, rows) that long, and the worker's memory grew by
that many requests (docs/performance.md, "Memory").

Each case runs with the collector paused and asks it afterwards what it found unreachable:
no server object of the request may be among it. The HTTP client's own objects may (httpx's
response and its stream refer to each other).
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from graphql import GraphQLError
from graphql.execution import Executor
from sqlalchemy.sql.selectable import Select, Subquery
from starlette.requests import Request
from starlette.responses import Response

from api_server.domains.patients.service import PatientService
from api_server.graphql.context import GraphQLContext
from api_server.graphql.errors import release_tracebacks
from api_server.ids import uuid7
from tests.domains.patients.graphql_documents import CREATE_PATIENT, create_patient, patient_input
from tests.graphql.client import PATH
from tests.graphql.test_fast_path import fast_runs  # noqa: F401 (fixture)

# Objects of the server's side of a request; none may be left for the cyclic collector.
# (Statements too: one built per request as a subquery left its column collections behind.)
SERVER_SIDE = (GraphQLContext, Executor, Request, Response, BaseException, Select, Subquery)


@contextmanager
def cyclic_garbage() -> Iterator[list[Any]]:
    """Yields a list that, after the block, holds what only the cyclic collector would free
    of the objects made in the block."""
    found: list[Any] = []
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield found
        gc.collect()
        found.extend(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()


def server_side(garbage: list[Any]) -> list[str]:
    return sorted({type(o).__qualname__ for o in garbage if isinstance(o, SERVER_SIDE)})


Send = Callable[[httpx.AsyncClient, str], Awaitable[httpx.Response]]


def post(
    query: str, variables: Callable[[str], dict[str, Any]] | None = None, **headers: str
) -> Send:
    async def send(client: httpx.AsyncClient, patient_id: str) -> httpx.Response:
        body = {"query": query, "variables": variables(patient_id) if variables else {}}
        return await client.post(PATH, json=body, headers=headers)

    return send


def get(path: str) -> Send:
    async def send(client: httpx.AsyncClient, patient_id: str) -> httpx.Response:
        return await client.get(path.format(id=patient_id))

    return send


ONE_FIELD_READ = "query($id: ID!) { patient(id: $id) { id firstName sex conditions } }"

CASES: dict[str, Send] = {
    "GraphQL one-field read": post(ONE_FIELD_READ, lambda id_: {"id": id_}),
    "GraphQL list": post("{ patients(first: 2) { nodes { id lastName } } }"),
    "GraphQL nested list": post(
        "{ patients(first: 2) { nodes { id addresses(first: 2) { nodes { id city } } } } }"
    ),
    "GraphQL mutation": post(CREATE_PATIENT, lambda _: {"input": patient_input()}),
    "GraphQL resolver error": post(ONE_FIELD_READ, lambda _: {"id": "not-an-id"}),
    "GraphQL variable error": post(ONE_FIELD_READ, lambda _: {"id": 12.5}),
    "GraphQL validation error": post("{ patient { nope } }"),
    "GraphQL syntax error": post("{ patient(id: "),
    # What a hostile client sends: refused before execution, and nothing kept either.
    "GraphQL too deep": post(
        "query($id: ID!) { patient(id: $id) { "
        + "primaryAddress { patient { " * 8
        + "id"
        + " } }" * 8
        + " } }",
        lambda id_: {"id": id_},
    ),
    "GraphQL too many tokens": post("{ " + "__typename " * 6_000 + "}"),
    "GraphQL over the body limit": post("{ __typename }", lambda _: {"x": "x" * 2_000_000}),
    "GraphQL without credentials": post("{ __typename }", Authorization="Bearer nope"),
    "REST read": get("/api/v1/patients/{id}"),
    "REST not found": get("/api/v1/patients/00000000-0000-0000-0000-000000000000"),
    "REST invalid": get("/api/v1/patients/not-an-id"),
}


# The answers that are not 200 (GraphQL answers its document errors with 200 under JSON).
STATUS = {
    "GraphQL over the body limit": 413,
    "GraphQL without credentials": 401,
    "REST not found": 404,
    "REST invalid": 422,
}

# The cases whose document the server remembers: their second run takes the fast path.
REMEMBERED = {
    "GraphQL one-field read",
    "GraphQL list",
    "GraphQL nested list",
    "GraphQL mutation",
    "GraphQL resolver error",
    "GraphQL variable error",
}


@pytest.mark.parametrize("case", CASES)
async def test_a_finished_request_leaves_no_cycle_behind(
    client: httpx.AsyncClient,
    case: str,
    fast_runs: list[bool],  # noqa: F811 (a fixture)
) -> None:
    patient_id = (await create_patient(client))["id"]
    send = CASES[case]
    before = len(fast_runs)
    with cyclic_garbage() as garbage:
        # Twice: a GraphQL document's first run goes Strawberry's way, later ones the fast path.
        statuses = [(await send(client, patient_id)).status_code for _ in range(2)]
    assert statuses == [STATUS.get(case, 200)] * 2
    runs = fast_runs[before:]
    if case in REMEMBERED:  # a document refused before execution is not remembered
        assert runs[-1] is True
    elif case.startswith("GraphQL"):
        assert True not in runs
    assert server_side(garbage) == []


def test_the_probe_sees_a_cycle() -> None:
    """The check above can fail: a request kept in a cycle is found."""
    with cyclic_garbage() as garbage:
        holder: dict[str, Any] = {"request": Request({"type": "http", "headers": []})}
        holder["self"] = holder
        del holder
    assert server_side(garbage) == ["Request"]


async def test_an_operation_stopped_at_its_deadline_leaves_no_cycle_behind(
    app_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cancelled mid-execution, the response is never built by graphql-core: nothing may be
    waiting for it to let go."""

    async def stuck(*_args: Any, **_kwargs: Any) -> None:
        await asyncio.sleep(60)

    monkeypatch.setattr(PatientService, "read", stuck)
    send = CASES["GraphQL one-field read"]
    async with app_client(graphql_timeout=0.2) as http:
        with cyclic_garbage() as garbage:
            answers = [(await send(http, str(uuid7()))).json() for _ in range(2)]
    assert [a["errors"][0]["extensions"]["code"] for a in answers] == ["QUERY_TIMEOUT"] * 2
    assert server_side(garbage) == []


def test_released_errors_keep_no_traceback_down_their_whole_chain() -> None:
    def raised(error: BaseException) -> BaseException:
        try:
            raise error
        except BaseException as caught:  # noqa: BLE001
            return caught

    cause, context, grouped = raised(KeyError("a")), raised(OSError("b")), raised(ValueError("c"))
    group = raised(ExceptionGroup("g", [grouped]))  # type: ignore[arg-type]
    original = raised(RuntimeError("d"))
    original.__cause__, original.__context__ = cause, context
    cause.__context__ = group
    error = raised(GraphQLError("e", original_error=original))  # type: ignore[arg-type]
    chain = (error, original, cause, context, group, grouped)
    assert all(e.__traceback__ is not None for e in chain)
    release_tracebacks([error])
    assert [e.__traceback__ for e in chain] == [None] * len(chain)
