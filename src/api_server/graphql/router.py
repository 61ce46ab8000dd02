"""Mounting `/graphql` on the application."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import pydantic_core
from cross_web import HTTPException as CrossWebHTTPException
from fastapi import BackgroundTasks, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from loguru import logger
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema import BaseSchema
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from api_server.api.routing import RequestRoute, include_flat
from api_server.auth.dependencies import authorize_request, guarded_options, principal_of
from api_server.compat.strawberry import (
    execute_single_operation,
    serves_streamed_results,
    signal_errors,
)
from api_server.domain import Domain
from api_server.exceptions import OverloadedError
from api_server.graphql.context import GraphQLContext, get_graphql_context
from api_server.graphql.errors import (
    QueryTimeoutError,
    ResponseTooLargeError,
    format_errors,
    operation_error,
)
from api_server.graphql.http_request import is_json, plain_operation, sub_response
from api_server.graphql.over_http import (
    GRAPHQL_RESPONSE_JSON,
    JSON,
    in_media_type,
    is_request_error,
    negotiated_media_type,
    request_error_status,
)
from api_server.graphql.problem_bodies import GraphQLProblemBodies
from api_server.graphql.response_models import graphql_content, graphql_responses
from api_server.graphql.schema import build_schema
from api_server.settings import Settings
from api_server.shed import count_shed

__all__ = ["PATH", "build_graphql_router", "install_graphql"]

PATH = "/graphql"


# Strawberry's GraphiQL page loads its scripts and styles from unpkg.com and runs inline
# scripts: the server-wide policy would leave it blank. Only that page gets this one.
GRAPHIQL_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://unpkg.com; "
    "style-src 'self' 'unsafe-inline' https://unpkg.com; img-src 'self' data:; "
    "font-src 'self' data: https://unpkg.com; connect-src 'self'; frame-ancestors 'none'"
)


# What a browser (or anyone) gets at GET /graphql without a query while GraphiQL is off.
GRAPHIQL_OFF = (
    "GraphiQL is off: start the server with API_SERVER_GRAPHIQL=true to serve it here. "
    "GraphQL documents go to POST /graphql (or GET /graphql?query=... for queries)"
)


UNSUPPORTED_CONTENT_TYPE = "a GraphQL POST has the body Content-Type: application/json"

# Where the request's sub-response (the `info.context.response` resolvers may set headers or
# a status on) is kept: Strawberry's FastAPI router keeps it in an attribute of the router,
# which concurrent requests overwrite.
_SUB_RESPONSE = "api_server.graphql.sub_response"


class ApiGraphQLRouter(GraphQLRouter[GraphQLContext, None]):
    """Strawberry's router, with its POST route replaced by `handle_post()`.

    Strawberry's POST handler resolves the context through three nested FastAPI
    dependencies and runs the whole HTTP protocol (WebSocket checks, the IDE, transports,
    content types) before executing, a large share of a small query (docs/performance.md).
    `handle_post()` calls the context getter itself and executes the common
    request, one operation as a JSON object, directly; every other request takes Strawberry's full
    path, so its answers (and errors) are Strawberry's. Either way the response is in the
    media type the request accepts, with the status GraphQL over HTTP gives it there.
    """

    def __init__(
        self,
        schema: BaseSchema,
        *,
        context_getter: Callable[[Request], Awaitable[GraphQLContext]] = get_graphql_context,
        suggestions: bool = True,
        timeout: float | None = None,
        max_response_bytes: int | None = None,
        **options: Any,
    ) -> None:
        super().__init__(schema, context_getter=context_getter, **options)
        self._context_getter = context_getter  # for handle_post, which calls it directly
        self.suggestions = suggestions  # "Did you mean ...?" in document errors
        self.timeout = timeout  # seconds an operation may run, parsing to response
        self.max_response_bytes = max_response_bytes
        self.routes[:] = [
            route
            for route in self.routes
            if not (isinstance(route, APIRoute) and route.methods == {"POST"})
        ]
        for route in self.routes:  # Strawberry documents its GET answers as not GraphQL's
            if isinstance(route, APIRoute) and route.methods == {"GET"}:
                for status, answer in route.responses.items():
                    html = {"text/html": {"schema": {"type": "string"}}} if status == 200 else {}
                    answer["content"] = {**graphql_content(), **html}
        # Strawberry's name: the OpenAPI operation id stays `handle_http_post_graphql_post`.
        self.add_api_route(
            "",
            self.handle_post,
            methods=["POST"],
            name="handle_http_post",
            # 401 before anything is parsed (a guarded route class: no dependency to solve per
            # request); each root field's scope is checked per operation.
            **guarded_options({"route_class_override": RequestRoute}),
        )
        # Streamed results (@defer/@stream, subscriptions over HTTP) need Strawberry's run().
        self._plain_posts = not serves_streamed_results(self)

    async def handle_post(self, request: Request) -> Response:
        media_type = negotiated_media_type(request)
        try:
            async with asyncio.timeout(self.timeout):
                return in_media_type(await self._handle_post(request), media_type)
        except TimeoutError:
            return self._timed_out(media_type)

    async def _handle_post(self, request: Request) -> Response:
        json_body = is_json(request.headers.get("content-type"))
        if not json_body and not self.multipart_uploads_enabled:
            raise StarletteHTTPException(415, UNSUPPORTED_CONTENT_TYPE)
        request.scope[_SUB_RESPONSE] = response_for_resolvers = sub_response()
        tasks = BackgroundTasks()
        # What Strawberry's context dependency builds, without its three dependencies.
        context = await self._context_getter(request)
        context.request, context.response = request, response_for_resolvers
        context.background_tasks = tasks
        operation = None
        if self._plain_posts and json_body:
            operation = plain_operation(await request.body())
        try:
            if operation is None:
                response: Response = await super().run(request, context=context, root_value=None)
            else:
                result = await self._run_prepared(operation, context)
                if result is None:
                    result = await execute_single_operation(
                        self,
                        request,
                        sub_response=response_for_resolvers,
                        context=context,
                        operation=operation,
                    )
                data = await self.process_result(request, result)
                signal_errors(self, result, data)
                response = self.create_response(data, response_for_resolvers)
        except CrossWebHTTPException as error:
            raise _as_problem(error) from None
        if tasks.tasks:
            response.background = tasks
        return response

    async def _run_prepared(
        self, operation: GraphQLRequestData, context: GraphQLContext
    ) -> ExecutionResult | None:
        fast_path = getattr(self.schema, "fast_path", None)
        if fast_path is None:
            return None
        result: ExecutionResult | None = await fast_path.run(self.schema, operation, context)
        return result

    def decode_json(self, data: str | bytes) -> object:
        # Strawberry turns only JSONDecodeError into a 400. Nesting too deep for the parser
        # (RecursionError), a number too long to convert and bytes that are not UTF-8 (other
        # ValueErrors) are as malformed: a 400 too, never a 500.
        try:
            decoded = json.loads(data)
        except (ValueError, RecursionError):
            raise json.JSONDecodeError("malformed JSON", "", 0) from None
        if not isinstance(decoded, dict | list):
            # `null`, `1` or `"x"` is JSON but no request: Strawberry would call .get() on it.
            raise json.JSONDecodeError("not a JSON object", "", 0)
        return decoded

    def encode_json(self, data: object) -> bytes:
        # pydantic-core's encoder (in Rust) rather than json.dumps: cheaper on every response.
        encoded = pydantic_core.to_json(data)
        if self.max_response_bytes is not None and len(encoded) > self.max_response_bytes:
            error = ResponseTooLargeError(len(encoded), self.max_response_bytes)
            logger.warning("GraphQL {}: {}", error.code, error.detail)
            return pydantic_core.to_json(operation_error(error))
        return encoded

    def _timed_out(self, media_type: str) -> Response:
        error = QueryTimeoutError(self.timeout or 0.0)  # no deadline never times out
        logger.warning("GraphQL {}: {}", error.code, error.detail)
        body = self.encode_json(operation_error(error))
        return in_media_type(Response(body, media_type=JSON), media_type)

    async def get_sub_response(self, request: Request) -> Response:
        kept: Response | None = request.scope.get(_SUB_RESPONSE)
        return kept if kept is not None else await super().get_sub_response(request)

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        response = await super().render_graphql_ide(request)
        response.headers["Content-Security-Policy"] = GRAPHIQL_CSP
        return response

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        # Strawberry answers HTTP-level errors (not JSON, a batch, no query) with text/plain;
        # re-raised as Starlette's HTTPException they become 400 problems like every other
        # refusal, which GraphQLProblemBodies answers as GraphQL responses at this path.
        if request.method == "GET" and "query" in request.query_params:
            await authorize_request(request)  # a query over GET (the IDE page is public)
            if isinstance(context, GraphQLContext):
                context.principal = principal_of(request)
                if context.response is not None:  # FastAPI's, for this request only
                    request.scope.setdefault(_SUB_RESPONSE, context.response)
        media_type = negotiated_media_type(request)
        try:
            async with asyncio.timeout(self.timeout):
                response = await super().run(request, context=context, root_value=root_value)
                return in_media_type(response, media_type)
        except TimeoutError:
            return self._timed_out(media_type)
        except CrossWebHTTPException as error:
            if error.status_code == 404 and request.method == "GET" and not self.graphql_ide:
                raise StarletteHTTPException(404, GRAPHIQL_OFF) from None
            raise _as_problem(error) from None

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        # A request error (nothing executed) has no `data`, and with graphql-response+json a
        # 4xx status (graphql/over_http.py); an executed operation has `data`, maybe null.
        response: dict[str, Any] = {}
        if is_request_error(result):
            errors = result.errors or []
            if negotiated_media_type(request) == GRAPHQL_RESPONSE_JSON:
                for_resolvers = await self.get_sub_response(request)
                if for_resolvers.status_code is None:  # no resolver ran to set one
                    for_resolvers.status_code = request_error_status(errors)
        else:
            response["data"] = result.data
        if result.errors:
            if any(isinstance(e.original_error, OverloadedError) for e in result.errors):
                count_shed(request.app)  # refused its database turn (shed.py)
            response["errors"] = format_errors(result.errors, suggestions=self.suggestions)
        if result.extensions:
            response["extensions"] = result.extensions
        return response  # type: ignore[return-value]


def _as_problem(error: CrossWebHTTPException) -> StarletteHTTPException:
    return StarletteHTTPException(error.status_code, error.reason)


def build_graphql_router(settings: Settings, domains: Sequence[Domain]) -> ApiGraphQLRouter:
    """Strawberry's router for the schema of `domains`, its routes relative to `PATH`."""
    return ApiGraphQLRouter(
        build_schema(settings, domains),
        graphql_ide="graphiql" if settings.graphiql else None,
        # Suggestions name schema fields: off whenever introspection is.
        suggestions=settings.graphql_introspection,
        timeout=settings.graphql_timeout,
        max_response_bytes=settings.graphql_max_response_bytes,
        subscription_protocols=(),
        tags=["graphql"],
        responses=graphql_responses(),
    )


def install_graphql(app: FastAPI, settings: Settings, domains: Sequence[Domain]) -> None:
    """Mount `/graphql` (POST, and GET for queries) and link it from the home page.

    Batched requests (a JSON list) are refused with 400: Strawberry's batching is left off,
    so one request is one operation, one transaction. Every refusal at `/graphql` is a
    GraphQL response (`GraphQLProblemBodies`, outermost, so it sees the body limit's 413).
    """
    include_flat(app, build_graphql_router(settings, domains), prefix=PATH)
    app.add_middleware(GraphQLProblemBodies, path=PATH)
    app.state.home_links.append((PATH, "GraphiQL" if settings.graphiql else "GraphQL (POST)"))
