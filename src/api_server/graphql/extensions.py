"""Schema extensions: the request's transaction, the document limits, the operation that
runs and the query cost."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

from graphql import ASTValidationRule, GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.types.graphql import OperationType

from api_server.database.connection import borrow_db_session
from api_server.graphql.authorization import FieldScopes, RootScopes
from api_server.graphql.context import GraphQLContext
from api_server.graphql.cost import operation_cost
from api_server.graphql.document_limits import DocumentLimits, rule_for
from api_server.graphql.errors import QueryTooComplexError
from api_server.graphql.operations import OperationSelection
from api_server.services.pagination import MAX_LIMIT
from api_server.settings import Settings

__all__ = ["DatabaseTransaction", "QueryCost", "build_extensions"]

CACHE_SIZE = 256  # distinct documents kept parsed and validated


class DatabaseTransaction(SchemaExtension):
    """One session and transaction per operation, as REST's `get_db_session`.

    Opened when execution starts (documents rejected earlier never touch the database) and
    ended when execution ends, inside `schema.execute()`, so before the response is built.
    The transaction commits only if the operation produced `data`: every mutation field is
    non-null, so any failed mutation nulls `data` and the whole operation rolls back; the
    response never reports a success that was not kept, nor hides one that was. A failed
    commit becomes the operation's error (data null). Mutations open a write transaction
    (BEGIN IMMEDIATE on SQLite), queries a read one.
    """

    async def on_execute(self) -> AsyncIterator[None]:
        context: GraphQLContext = self.execution_context.context
        write = self.execution_context.operation_type is OperationType.MUTATION
        async with borrow_db_session(write=write) as session:
            context.bind_session(session)
            try:
                yield
            finally:
                context.bind_session(None)
            result = self.execution_context.result
            if result is None or result.data is None:
                await session.rollback()  # the commit at the end of the block is then empty


class QueryCost(SchemaExtension):
    """Refuses, before execution, an operation whose static cost (`graphql.cost`) is above
    `max_cost`: the error is the document's, code QUERY_TOO_COMPLEX with the cost.

    Runs in the validation step after the document's own rules (ValidationCache, listed
    earlier, has set `pre_execution_errors`), so only valid documents are priced; it runs on
    every request because the variables (page sizes) change the price.
    """

    def __init__(self, *, max_cost: int) -> None:
        super().__init__()
        self.max_cost = max_cost

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.pre_execution_errors == [] and context.graphql_document is not None:
            cost = operation_cost(
                context.schema._schema,
                context.graphql_document,
                operation_name=context.operation_name,
                variables=context.variables,
                unbounded=MAX_LIMIT,
            )
            if cost > self.max_cost:
                error = QueryTooComplexError(cost, self.max_cost)
                context.pre_execution_errors = [GraphQLError(error.detail, original_error=error)]
        yield


def build_extensions(settings: Settings, scopes: RootScopes) -> list[Callable[[], SchemaExtension]]:
    """Factories (a fresh extension per request). The rule classes are built once here, so
    the validation cache, keyed by them, hits across requests."""
    limits = DocumentLimits(
        max_depth=settings.graphql_max_depth,
        max_aliases=settings.graphql_max_aliases,
        max_fragments=settings.graphql_max_fragments,
        max_spreads=settings.graphql_max_fragment_spreads,
    )
    rules: list[type[ASTValidationRule]] = [rule_for(limits)]
    if not settings.graphql_introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    max_tokens, max_cost = settings.graphql_max_tokens, settings.graphql_max_cost
    return [
        lambda: MaxTokensLimiter(max_token_count=max_tokens),
        lambda: AddValidationRules(rules),
        lambda: ParserCache(maxsize=CACHE_SIZE),
        OperationSelection,  # after parsing: which operation runs, or a request error
        lambda: ValidationCache(maxsize=CACHE_SIZE),
        lambda: FieldScopes(scopes=scopes),  # forbidden before too complex
        lambda: QueryCost(max_cost=max_cost),  # after ValidationCache: prices valid documents
        DatabaseTransaction,
    ]
