"""At /graphql every refusal is a GraphQL response: `{"errors": [{"message", "extensions"}]}`.

The server answers a request it refuses before GraphQL runs with an RFC 9457 problem,
wherever the refusal happens: 401/403/503 from the credential check, 413 from the body
limit, 400/415 for a request the router cannot read, 405, a 500. GraphQL clients read
`errors`, never `detail`, and a GraphQL response may hold nothing but `data`, `errors` and
`extensions` (the problem's own `errors` member means field errors), so one body cannot be
both. This middleware re-encodes, at the GraphQL path only, each problem response as a
GraphQL one: status and headers (`WWW-Authenticate`, `Retry-After` ...) kept, `detail` as
the message, `code`, `request_id` and the problem's extension members in `extensions`, as
in every other GraphQL error; the media type the request's `Accept` prefers.
"""

from __future__ import annotations

import json
from typing import Any

import pydantic_core
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api_server.graphql.over_http import content_type, response_media_type
from api_server.problem import PROBLEM_MEDIA_TYPE

__all__ = ["GraphQLProblemBodies", "graphql_error_body"]

# Problem members that the GraphQL error carries otherwise (status line, message) or not at
# all (`type`, `title` and `instance` only restate the code, the status and the path).
_PROBLEM = PROBLEM_MEDIA_TYPE.encode()
_PROBLEM_ONLY = frozenset({"type", "title", "status", "detail", "instance", "code", "request_id"})


def graphql_error_body(problem: dict[str, Any]) -> dict[str, Any]:
    """The GraphQL response equivalent to a problem body."""
    extensions = {"code": problem.get("code", "BAD_REQUEST")}
    extensions.update({k: v for k, v in problem.items() if k not in _PROBLEM_ONLY})
    extensions["request_id"] = problem.get("request_id")
    message = problem.get("detail") or problem.get("title") or "the request was refused"
    return {"errors": [{"message": message, "extensions": extensions}]}


class GraphQLProblemBodies:
    """Pure ASGI: re-encodes the problem responses of requests to `path` (see the module)."""

    def __init__(self, app: ASGIApp, *, path: str) -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def send_graphql(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if (b"content-type", _PROBLEM) in message.get("headers", ()):
                    start = message  # held until the body is complete
                    return
            elif message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                await self._send_translated(scope, start, b"".join(chunks), send)
                return
            await send(message)

        await self.app(scope, receive, send_graphql)

    @staticmethod
    async def _send_translated(scope: Scope, start: Message, raw: bytes, send: Send) -> None:
        try:
            problem = json.loads(raw)
        except ValueError:
            problem = None
        if isinstance(problem, dict):
            body = pydantic_core.to_json(graphql_error_body(problem))
            media = content_type(response_media_type(Headers(scope=scope).get("accept")))
        else:  # not a problem after all: passed on untouched
            body, media = raw, PROBLEM_MEDIA_TYPE
        headers = MutableHeaders(raw=list(start.get("headers", [])))
        headers["content-type"] = media
        headers["content-length"] = str(len(body))
        headers.add_vary_header("Accept")
        await send({**start, "headers": headers.raw})
        await send({"type": "http.response.body", "body": body})
