"""Mounting `/graphql` on the application."""

from __future__ import annotations

from typing import Any

from cross_web import HTTPException as CrossWebHTTPException
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from api_server.api.routing import include_flat
from api_server.graphql.context import GraphQLContext, get_graphql_context
from api_server.graphql.errors import format_error
from api_server.graphql.schema import build_schema
from api_server.problem import problem_responses
from api_server.settings import Settings

__all__ = ["PATH", "build_graphql_router", "install_graphql"]

PATH = "/graphql"


# Strawberry's GraphiQL page loads its scripts and styles from unpkg.com and runs inline
# scripts: the server-wide policy would leave it blank. Only that page gets this one.
GRAPHIQL_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://unpkg.com; "
    "style-src 'self' 'unsafe-inline' https://unpkg.com; img-src 'self' data:; "
    "font-src 'self' data: https://unpkg.com; connect-src 'self'; frame-ancestors 'none'"
)


class ApiGraphQLRouter(GraphQLRouter[GraphQLContext, None]):
    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        response = await super().render_graphql_ide(request)
        response.headers["Content-Security-Policy"] = GRAPHIQL_CSP
        return response

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        # Strawberry answers HTTP-level errors (not JSON, a batch, wrong content type) with
        # text/plain; re-raised as Starlette's HTTPException they become problem+json 400s
        # like every other 4xx of the server.
        try:
            return await super().run(request, context=context, root_value=root_value)
        except CrossWebHTTPException as error:
            raise StarletteHTTPException(error.status_code, error.reason) from None

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response: dict[str, Any] = {"data": result.data}
        if result.errors:
            response["errors"] = [format_error(error) for error in result.errors]
        if result.extensions:
            response["extensions"] = result.extensions
        return response  # type: ignore[return-value]


def build_graphql_router(settings: Settings) -> ApiGraphQLRouter:
    """Strawberry's router for the schema of `settings`, its routes relative to `PATH`."""
    return ApiGraphQLRouter(
        build_schema(settings),
        graphql_ide="graphiql" if settings.graphiql else None,
        context_getter=get_graphql_context,
        subscription_protocols=(),
        tags=["graphql"],
        responses=problem_responses(400),
    )


def install_graphql(app: FastAPI, settings: Settings) -> None:
    """Mount `/graphql` (POST, and GET for queries) and link it from the home page.

    Batched requests (a JSON list) are refused with 400: Strawberry's batching is left off,
    so one request is one operation, one transaction.
    """
    include_flat(app, build_graphql_router(settings), prefix=PATH)
    app.state.home_links.append((PATH, "GraphiQL" if settings.graphiql else "GraphQL (POST)"))
