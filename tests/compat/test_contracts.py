"""The library internals `api_server.compat` relies on, checked against the installed versions.

Each test fails with the name of the internal that moved, so an upgrade says what to fix.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.routing import APIRoute

from api_server.compat.fastapi import (
    function_exit_stack,
    has_default_lifespan,
    own_unique_id_function,
    route_options,
)
from api_server.compat.sqlalchemy import wrap_dialect_rollback
from api_server.database.urls import to_async_url


async def test_fastapi_keeps_the_function_exit_stack_in_the_request_scope() -> None:
    app = FastAPI()
    seen: list[AsyncExitStack] = []

    @app.get("/")
    async def endpoint(request: Request) -> dict[str, str]:
        seen.append(function_exit_stack(request))
        return {}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.get("/")).status_code == 200
    assert len(seen) == 1 and isinstance(seen[0], AsyncExitStack)


async def test_the_function_exit_stack_closes_before_the_response_is_sent() -> None:
    app = FastAPI()
    order: list[str] = []

    @app.get("/")
    async def endpoint(request: Request) -> dict[str, str]:
        function_exit_stack(request).callback(order.append, "exit stack closed")
        return {}

    @app.middleware("http")
    async def record(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        order.append("response started")
        return response

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        await client.get("/")
    assert order == ["exit stack closed", "response started"]


def test_a_router_without_a_lifespan_has_fastapis_default_one() -> None:
    assert has_default_lifespan(APIRouter())

    async def lifespan(app: Any) -> Any:
        yield

    assert not has_default_lifespan(APIRouter(lifespan=lifespan))  # type: ignore[arg-type]


def test_route_options_are_exactly_the_keywords_add_api_route_takes() -> None:
    import inspect

    router = APIRouter()

    @router.get("/x", status_code=202, tags=["t"], summary="s")
    async def endpoint() -> None:
        return None

    route = router.routes[0]
    assert isinstance(route, APIRoute)
    options = route_options(route)
    accepted = set(inspect.signature(APIRouter.add_api_route).parameters)
    # Every keyword add_api_route takes that the route keeps as an attribute is copied; a new
    # one in a FastAPI upgrade fails here instead of being dropped by include_flat().
    kept = {name for name in accepted if hasattr(route, name)} - {"path", "endpoint"}
    assert set(options) == kept, set(options) ^ kept
    app = FastAPI()
    app.router.add_api_route("/x", endpoint, **options)  # every value is accepted back
    copied = app.routes[-1]
    assert isinstance(copied, APIRoute)
    assert (copied.status_code, copied.tags, copied.summary) == (202, ["t"], "s")


def test_a_route_knows_whether_it_was_given_an_operation_id_function() -> None:
    def by_route(route: APIRoute) -> str:
        return "r"

    def by_router(route: APIRoute) -> str:
        return "R"

    plain, own = APIRouter(), APIRouter(generate_unique_id_function=by_router)

    @plain.get("/a")
    @own.get("/a")
    async def a() -> None: ...

    @plain.get("/b", generate_unique_id_function=by_route)
    async def b() -> None: ...

    routes = [route for route in [*plain.routes, *own.routes] if isinstance(route, APIRoute)]
    # FastAPI's default is kept as a DefaultPlaceholder, which an includer may replace.
    assert [own_unique_id_function(route) for route in routes] == [None, by_route, by_router]


async def test_an_engines_dialect_rollback_can_be_wrapped_alone(tmp_path: Path) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    url = to_async_url(f"sqlite:///{tmp_path / 'x.db'}")
    wrapped, other = create_async_engine(url), create_async_engine(url)
    calls: list[str] = []

    def counting(original: Any) -> Any:
        def rollback(dbapi_connection: Any) -> None:
            calls.append("rollback")
            original(dbapi_connection)

        return rollback

    async def use(engine: Any) -> int:
        before = len(calls)
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            await connection.rollback()
        return len(calls) - before

    wrap_dialect_rollback(wrapped, counting)
    try:
        assert await use(wrapped) > 0
        assert await use(other) == 0  # another engine's dialect is untouched
    finally:
        await wrapped.dispose()
        await other.dispose()


def test_strawberry_router_internals_are_there() -> None:
    from strawberry.fastapi import GraphQLRouter

    from api_server.compat.strawberry import serves_streamed_results
    from api_server.domains import DOMAINS
    from api_server.graphql.router import build_graphql_router
    from api_server.settings import Settings

    for name in ("execute_single", "request_adapter_class", "_handle_errors"):
        assert hasattr(GraphQLRouter, name), f"GraphQLRouter.{name} is gone"
    router = build_graphql_router(Settings(_env_file=None), DOMAINS)  # type: ignore[call-arg]
    assert serves_streamed_results(router) is False  # no streamed transports are configured


def test_strawberrys_plain_field_resolver_and_graphql_cores_execute_field_are_there() -> None:
    import inspect

    import strawberry

    from api_server.compat.strawberry import ExecutionContextBase, is_plain_attribute

    @strawberry.type
    class Query:
        plain: str

        @strawberry.field
        def resolved(self) -> str:
            return "r"

    fields = strawberry.Schema(query=Query)._schema.type_map["Query"].fields  # type: ignore[attr-defined]
    assert is_plain_attribute(fields["plain"].resolve), "Strawberry's _get_basic_result moved"
    assert fields["plain"].resolve(Query(plain="p"), None) == "p"  # type: ignore[call-arg]
    assert not is_plain_attribute(fields["resolved"].resolve)
    parameters = list(inspect.signature(ExecutionContextBase.execute_field).parameters)
    assert parameters == [
        "self", "parent_type", "source", "field_details_list", "path", "position_context",
    ], "graphql-core's Executor.execute_field changed"  # fmt: skip


def test_the_graphql_core_executor_methods_one_field_reads_call_are_there() -> None:
    import inspect

    from graphql.execution.collect_fields import FieldDetails
    from graphql.execution.executor import CollectedErrors
    from graphql.execution.values import get_argument_values

    from api_server.compat.strawberry import ExecutionContextBase

    def parameters(function: Any) -> list[str]:
        return list(inspect.signature(function).parameters)

    executor = ExecutionContextBase
    assert parameters(executor.build_resolve_info) == [
        "self", "field_def", "field_nodes", "parent_type", "path",
    ]  # fmt: skip
    assert parameters(executor.complete_value) == [
        "self", "return_type", "field_details_list", "info", "path", "result", "position_context",
    ]  # fmt: skip
    assert parameters(executor.handle_field_error) == [
        "self", "raw_error", "return_type", "field_details_list", "path",
    ]  # fmt: skip
    assert parameters(executor.build_response) == ["self", "data"]
    declared = [vars(c).get("__annotations__", {}) for c in executor.__mro__]
    assert any("collected_errors" in names for names in declared), "Executor.collected_errors"
    assert parameters(CollectedErrors.add) == ["self", "error", "path"]
    assert FieldDetails._fields == ("node", "defer_usage", "fragment_variable_values")
    assert parameters(get_argument_values) == [
        "type_def", "node", "variable_values", "fragment_variable_values", "hide_suggestions",
    ]  # fmt: skip


async def test_strawberry_reports_the_requested_operation_name_and_pre_execution_errors() -> None:
    import strawberry
    from graphql import GraphQLError
    from strawberry.extensions import SchemaExtension

    from api_server.compat.strawberry import is_pre_execution_error, requested_operation_name

    seen: list[str | None] = []

    class Refuse(SchemaExtension):
        def on_parse(self) -> Any:
            yield
            seen.append(requested_operation_name(self.execution_context))
            if requested_operation_name(self.execution_context) == "Refused":
                raise GraphQLError("refused after parsing")

    @strawberry.type
    class Query:
        @strawberry.field
        def ran(self) -> bool:
            seen.append("executed")
            return True

    schema = strawberry.Schema(query=Query, extensions=[Refuse])
    document = "query A { ran } query Refused { ran }"
    executed = await schema.execute("query A { ran }")  # one operation: none requested
    refused = await schema.execute(document, operation_name="Refused")
    invalid = await schema.execute("{ nope }")
    assert seen == [None, "executed", "Refused", None], "ExecutionContext._provided_operation_name"
    assert not is_pre_execution_error(executed)
    # An exception raised after parsing is the result's only error; nothing runs.
    assert [str(error) for error in refused.errors or ()] == ["refused after parsing"]
    assert is_pre_execution_error(refused) and is_pre_execution_error(invalid)


async def test_fastapi_keeps_the_effective_route_of_an_included_router() -> None:
    from api_server.compat.fastapi import effective_route_template

    router = APIRouter(prefix="/items")
    seen: list[str | None] = []

    @router.get("/{item_id}")
    async def endpoint(item_id: int, request: Request) -> dict[str, str]:
        seen.append(effective_route_template(request.scope))
        return {}

    app = FastAPI()
    app.include_router(router, prefix="/api")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.get("/api/items/7")).status_code == 200
    assert seen == ["/api/items/{item_id}"]


def test_sqlalchemys_aiosqlite_adapter_and_aiosqlite_internals_are_there() -> None:
    """compat/aiosqlite.py swaps the adapter's class on a connection (same slots) and sends
    one function to aiosqlite's thread per statement."""
    import inspect

    import aiosqlite
    from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_connection

    from api_server.compat.aiosqlite import OneTripConnection

    assert AsyncAdapt_aiosqlite_connection.__slots__ == OneTripConnection.__slots__ == ()
    assert "_cursor_cls" in vars(AsyncAdapt_aiosqlite_connection), "adapter _cursor_cls"
    assert inspect.iscoroutinefunction(aiosqlite.Connection._execute), "aiosqlite _execute"
    assert isinstance(inspect.getattr_static(aiosqlite.Connection, "_conn"), property), "_conn"
