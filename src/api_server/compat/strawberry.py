"""Strawberry internals (written against strawberry-graphql 0.341; see
tests/compat/test_contracts.py). Imported only when the GraphQL profile is served."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.execution import PreExecutionError

__all__ = [
    "execute_single_operation",
    "is_pre_execution_error",
    "requested_operation_name",
    "serves_streamed_results",
    "signal_errors",
]


def serves_streamed_results(router: GraphQLRouter[Any, Any]) -> bool:
    """True when the router may answer with a stream (multipart subscriptions, @defer)."""
    return bool(
        router._stream_transport_map
        or router.schema.config.enable_experimental_incremental_execution
    )


async def execute_single_operation(
    router: GraphQLRouter[Any, Any],
    request: Request,
    *,
    sub_response: Response,
    context: Any,
    operation: GraphQLRequestData,
) -> ExecutionResult:
    """What Strawberry's HTTP view runs for one operation, past its protocol handling."""
    result: ExecutionResult = await router.execute_single(
        request=request,
        request_adapter=router.request_adapter_class(request),
        sub_response=sub_response,
        context=context,
        root_value=None,
        request_data=operation,
    )
    return result


def signal_errors(
    router: GraphQLRouter[Any, Any], result: ExecutionResult, data: GraphQLHTTPResponse
) -> None:
    """Strawberry's hook for a result with errors (the view calls it before responding)."""
    if result.errors:
        router._handle_errors(result.errors, data)


def requested_operation_name(context: ExecutionContext) -> str | None:
    """The `operationName` of the request. `context.operation_name` is the first operation's
    name when the request named none, which hides a document that needs one."""
    name: str | None = context._provided_operation_name
    return name


def is_pre_execution_error(result: ExecutionResult) -> bool:
    """True for a result Strawberry made before execution (the document did not parse or
    validate, or an extension refused it) or from an exception an extension raised."""
    return isinstance(result, PreExecutionError)
