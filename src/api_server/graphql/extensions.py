"""Schema extensions: the request's transaction, the document limits, the operation that
runs and the query cost."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

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
from api_server.graphql.authorization import RootScopes, forbidden_fields
from api_server.graphql.context import GraphQLContext
from api_server.graphql.cost import operation_cost
from api_server.graphql.document_limits import DocumentLimits, rule_for
from api_server.graphql.errors import QueryTooComplexError
from api_server.graphql.operations import OperationSelection
from api_server.services.pagination import MAX_LIMIT
from api_server.settings import Settings

__all__ = ["DatabaseTransaction", "OperationChecks", "build_extensions"]

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


class OperationChecks(SchemaExtension):
    """Before execution, after the document's own rules (ValidationCache, listed earlier, has
    set `pre_execution_errors`, so only valid documents are checked):

    - the root fields' scopes (`graphql.authorization`): one FORBIDDEN error per field the
      caller may not use, and nothing runs;
    - the static cost (`graphql.cost`), above `max_cost` refused with QUERY_TOO_COMPLEX and
      the cost; priced on every request because the variables (page sizes) change it.

    One extension for both: each extension costs its hooks on every request.
    """

    def __init__(self, *, scopes: RootScopes, max_cost: int) -> None:
        super().__init__()
        self.scopes = scopes
        self.max_cost = max_cost

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.pre_execution_errors == [] and context.graphql_document is not None:
            principal: Any = getattr(context.context, "principal", None)
            held = principal.scopes if principal is not None else frozenset()
            errors = forbidden_fields(
                context.graphql_document, context.operation_name, self.scopes, held
            )
            if errors:
                context.pre_execution_errors = errors
            else:
                self._price(context)
        yield

    def _price(self, context: Any) -> None:
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
        # After ValidationCache: checks valid documents only.
        lambda: OperationChecks(scopes=scopes, max_cost=max_cost),
        DatabaseTransaction,
    ]
