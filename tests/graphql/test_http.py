"""POST /graphql over HTTP: the plain request is executed directly, the rest by Strawberry.

Both ways must answer alike; these tests pin what each request gets.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import strawberry
from fastapi import FastAPI
from strawberry.fastapi import GraphQLRouter

from api_server.auth.principal import Principal
from api_server.graphql.router import ApiGraphQLRouter
from api_server.services.registry import ServiceRegistry
from tests.graphql.client import PATH

ID = "01890000-0000-7000-8000-000000000000"


@pytest.fixture
def strawberry_runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records each request that went through Strawberry's own HTTP handling."""
    calls: list[str] = []
    original = GraphQLRouter.run

    async def run(self: GraphQLRouter[Any, Any], request: Any, **kwargs: Any) -> Any:
        calls.append(request.method)
        return await original(self, request, **kwargs)

    monkeypatch.setattr(GraphQLRouter, "run", run)
    return calls


@pytest.mark.parametrize("content_type", ["application/json", "Application/JSON; charset=utf-8"])
async def test_a_plain_post_is_executed_directly(
    client: httpx.AsyncClient, strawberry_runs: list[str], content_type: str
) -> None:
    response = await client.post(
        PATH,
        content=b'{"query": "query Q($id: ID!) { patient(id: $id) { id } }", '
        b'"variables": {"id": "' + ID.encode() + b'"}, "operationName": "Q"}',
        headers={"Content-Type": content_type},
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"patient": None}}
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-length"] == str(len(response.content))  # one, not "0"
    assert strawberry_runs == []


async def test_errors_of_a_plain_post_are_graphql_errors(
    client: httpx.AsyncClient, strawberry_runs: list[str]
) -> None:
    response = await client.post(PATH, json={"query": "{ patient(id: 1) { nope } }"})
    assert response.status_code == 200
    body = response.json()
    assert "data" not in body  # a document error: nothing was executed
    assert "nope" in body["errors"][0]["message"]
    assert strawberry_runs == []


async def test_an_unknown_operation_name_is_a_graphql_request_error(
    client: httpx.AsyncClient, strawberry_runs: list[str]
) -> None:
    response = await client.post(
        PATH, json={"query": "query A { __typename }", "operationName": "B"}
    )
    assert (response.status_code, response.headers["content-type"]) == (200, "application/json")
    assert response.json() == {
        "errors": [
            {
                "message": 'Unknown operation named "B".',
                "extensions": {
                    "code": "GRAPHQL_VALIDATION_FAILED",
                    "request_id": response.headers["x-request-id"],
                },
            }
        ]
    }
    assert strawberry_runs == []


@pytest.mark.parametrize(
    ("content", "content_type", "status", "reason", "strawberry_ran"),
    [
        (b'{"query": "{ __typename }"}', "text/plain", 415, "application/json", False),
        (b'{"query": ', "application/json", 400, "Unable to parse request body as JSON", True),
        (b'{"query": 42}', "application/json", 400, "must be a string", True),
        (b'{"variables": {}}', "application/json", 400, "No GraphQL query found", True),
        (
            b'{"query": "{ __typename }", "variables": [1]}',
            "application/json",
            400,
            "variables",
            True,
        ),
        (
            b'{"query": "{ __typename }", "extensions": 5}',
            "application/json",
            400,
            "extensions",
            True,
        ),
        (
            b'{"query": "{ __typename }", "operationName": 5}',
            "application/json",
            400,
            "operationName",
            False,
        ),
        (
            b'[{"query": "{ __typename }"}]',
            "application/json",
            400,
            "Batching is not enabled",
            True,
        ),
    ],
)
async def test_a_request_that_is_no_graphql_request_is_a_4xx_graphql_error(
    client: httpx.AsyncClient,
    strawberry_runs: list[str],
    content: bytes,
    content_type: str,
    status: int,
    reason: str,
    strawberry_ran: bool,
) -> None:
    response = await client.post(PATH, content=content, headers={"Content-Type": content_type})
    assert (response.status_code, response.headers["content-type"]) == (status, "application/json")
    body = response.json()
    assert list(body) == ["errors"]
    assert reason in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] in {"BAD_REQUEST", "UNSUPPORTED_MEDIA_TYPE"}
    assert strawberry_runs == (["POST"] if strawberry_ran else [])


class _AnyCaller:
    """The router authenticates every request; this router-only app has no key store."""

    async def authenticate(self, authorization: str | None) -> Principal:
        return Principal(kind="api_key", name="test", scopes=frozenset())


def _app_whose_resolver_uses_the_response(ran: list[str]) -> FastAPI:
    @strawberry.type
    class Query:
        @strawberry.field
        def marked(self, info: strawberry.Info) -> str:
            info.context.response.headers["X-Marked"] = "yes"
            info.context.response.status_code = 203
            info.context.background_tasks.add_task(ran.append, "task")
            return "ok"

    app = FastAPI()
    app.state.registry = ServiceRegistry()
    app.state.authenticator = _AnyCaller()
    app.include_router(
        ApiGraphQLRouter(strawberry.Schema(query=Query), subscription_protocols=()),
        prefix=PATH,
    )
    return app


@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_resolvers_set_headers_status_and_background_tasks_either_way(
    strawberry_runs: list[str], method: str
) -> None:
    ran: list[str] = []
    app = _app_whose_resolver_uses_the_response(ran)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        if method == "POST":
            response = await http.post(PATH, json={"query": "{ marked }"})
        else:
            response = await http.get(PATH, params={"query": "{ marked }"})
    assert response.json() == {"data": {"marked": "ok"}}
    assert (response.status_code, response.headers["x-marked"]) == (203, "yes")
    assert ran == ["task"]
    assert strawberry_runs == ([] if method == "POST" else ["GET"])


def test_the_post_operation_keeps_strawberrys_openapi_entry(app: FastAPI) -> None:
    post = app.openapi()["paths"][PATH]["post"]
    assert (post["operationId"], post["summary"]) == (
        "handle_http_post_graphql_post",
        "Handle Http Post",
    )
