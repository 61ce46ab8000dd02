"""Strawberry internals (written against strawberry-graphql 0.341; see
tests/compat/test_contracts.py). Imported only when the GraphQL profile is served."""

from __future__ import annotations

from dataclasses import dataclass
from inspect import isawaitable
from typing import Any

from graphql import DocumentNode, GraphQLError
from graphql import ExecutionResult as GraphQLExecutionResult
from starlette.requests import Request
from starlette.responses import Response
from strawberry.execution import optimized_is_awaitable
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema import Schema
from strawberry.schema._graphql_core import execution_context_class_kwargs
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.execution import PreExecutionError

__all__ = [
    "DocumentRun",
    "ExecutionContextBase",
    "build_executor",
    "execute_document",
    "execute_single_operation",
    "is_plain_attribute",
    "is_pre_execution_error",
    "pre_execution_error",
    "requested_operation_name",
    "runs_plain_execution",
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


def runs_plain_execution(schema: Schema) -> bool:
    """True when Strawberry adds nothing around each field of an execution: no extension
    resolves fields (a middleware) and the schema has no custom directives, so
    `execute_document()` runs what `schema.execute()` would."""
    return not schema.directives and not any(
        extension._implements_resolve() for extension in schema.get_extensions()
    )


@dataclass(frozen=True, slots=True)
class DocumentRun:
    """What graphql-core is given to run one operation of a parsed, validated document."""

    document: DocumentNode
    variables: dict[str, Any] | None
    operation_name: str | None
    context: Any
    operation_extensions: dict[str, Any] | None


async def execute_document(schema: Schema, run: DocumentRun) -> GraphQLExecutionResult:
    """What `schema.execute()` runs for a parsed and validated document (its
    `_execute_operation`), without the extension hooks around it."""
    result = schema._get_execute_function()(
        schema._schema,
        run.document,
        root_value=None,
        variable_values=run.variables,
        operation_name=run.operation_name,
        context_value=run.context,
        is_awaitable=optimized_is_awaitable,
        **execution_context_class_kwargs(schema.execution_context_class),
        **schema._get_custom_context_kwargs(run.operation_extensions),
    )
    if isawaitable(result):
        result = await result
    if not isinstance(result, GraphQLExecutionResult):  # incremental delivery: not served here
        raise TypeError(f"unexpected execution result {type(result).__name__}")
    return result


def build_executor(schema: Schema, run: DocumentRun) -> Any:
    """The graphql-core executor `execute_document()` would run (variables coerced), or the
    list of errors that stop it there."""
    return schema.execution_context_class.build(
        schema._schema,
        run.document,
        None,
        run.context,
        run.variables,
        run.operation_name,
        is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]  # as Strawberry passes it
        **schema._get_custom_context_kwargs(run.operation_extensions),
    )


def pre_execution_error(error: GraphQLError) -> ExecutionResult:
    """The result Strawberry makes of an exception raised around execution: `error` alone,
    no data, a request error (`is_pre_execution_error`)."""
    return PreExecutionError(data=None, errors=[error])


# The executor Strawberry gives graphql-core; a subclass may override graphql-core's
# `Executor.execute_field(parent_type, source, field_details_list, path, position_context)`.
ExecutionContextBase = StrawberryGraphQLCoreExecutionContext


def is_plain_attribute(resolve: Any) -> bool:
    """True for the resolver Strawberry gives a field with no resolver, permission or
    extension: it returns the parent's attribute and ignores its info (called with None)."""
    return (
        getattr(resolve, "_is_default", False) is True
        and getattr(resolve, "__name__", "") == "_get_basic_result"
    )
