"""The fast path of `POST /graphql`: a document the server has accepted before runs without
Strawberry's per-request machinery (docs/performance.md, "GraphQL").

Strawberry's `schema.execute()` builds an execution context and enters every schema
extension's hooks around parsing, validation and execution; for a small query that costs
about as much as resolving it. Once Strawberry's path has parsed and validated a document and
its checks passed, `OperationChecks` remembers it (`PreparedDocuments`). The same query text
again runs here: the operation is selected, the caller's scopes and the cost are checked
again (they depend on the caller and the variables), then graphql-core executes it as
Strawberry would, in the operation's database (`operation_database`). A request the fast
path would refuse goes to Strawberry's path, which answers it: one way to every error. A
query that is one field's read of plain leaves runs by its plan (`one_field_reads`).
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import DocumentNode, GraphQLError, OperationType, get_operation_ast
from graphql import ExecutionResult as GraphQLExecutionResult
from strawberry.http import GraphQLRequestData
from strawberry.schema import Schema
from strawberry.types import ExecutionResult

from api_server.compat.strawberry import (
    DocumentRun,
    build_executor,
    execute_document,
    pre_execution_error,
)
from api_server.graphql.authorization import RootScopes
from api_server.graphql.context import GraphQLContext
from api_server.graphql.extensions import operation_database, operation_refusals
from api_server.graphql.one_field_reads import OneFieldRead
from api_server.graphql.prepared_documents import PreparedDocuments

__all__ = ["FastPath"]


@dataclass(frozen=True)
class FastPath:
    """What the fast path needs of the schema's extensions: the documents they accepted and
    the checks they make (`OperationChecks`)."""

    prepared: PreparedDocuments
    scopes: RootScopes
    max_cost: int

    async def run(
        self, schema: Schema, operation: GraphQLRequestData, context: GraphQLContext
    ) -> ExecutionResult | None:
        """The result of `operation`, or None when Strawberry's path is to run it (a
        document not seen yet, or one this caller or these variables may not run)."""
        query = operation.query
        prepared = self.prepared.prepared(query) if query is not None else None
        if prepared is None:
            return None
        document = prepared.document
        name = operation.operation_name
        definition = get_operation_ast(document, name)
        if definition is None or definition.operation is OperationType.SUBSCRIPTION:
            return None
        if operation_refusals(
            schema._schema,
            prepared.prices,
            name,
            operation.variables,
            principal=context.principal,
            scopes=self.scopes,
            max_cost=self.max_cost,
        ):
            return None
        executed: list[GraphQLExecutionResult] = []
        try:
            async with operation_database(
                context,
                write=definition.operation is OperationType.MUTATION,
                kept=lambda: executed[0].data is not None,
            ):
                plan = prepared.plan(schema._schema, name, definition)
                executed.append(await _execute(schema, document, plan, operation, context))
        except Exception as exc:  # as Strawberry: the operation's only error, data null
            error = _as_graphql_error(exc)
            schema.process_errors([error])
            return pre_execution_error(error)
        result = executed[0]
        if result.errors:
            schema.process_errors(result.errors)
        return ExecutionResult(data=result.data, errors=result.errors)


async def _execute(
    schema: Schema,
    document: DocumentNode,
    plan: OneFieldRead | None,
    operation: GraphQLRequestData,
    context: GraphQLContext,
) -> GraphQLExecutionResult:
    run = DocumentRun(
        document, operation.variables, operation.operation_name, context, operation.extensions
    )
    if plan is not None:
        executor = build_executor(schema, run)
        if isinstance(executor, list):  # variables that do not coerce, as graphql-core answers
            return GraphQLExecutionResult(None, errors=executor)
        return await plan.run(executor)
    return await execute_document(schema, run)


def _as_graphql_error(error: Exception) -> GraphQLError:
    if isinstance(error, GraphQLError):
        return error
    return GraphQLError(str(error), original_error=error)
