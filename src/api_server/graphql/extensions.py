"""Schema extensions: the request's transaction, the document limits, the operation that
runs and the query cost."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

from graphql import ASTValidationRule, GraphQLError, GraphQLSchema
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.types.graphql import OperationType

from api_server.auth.principal import Principal
from api_server.database.connection import borrow_db_read_connection, borrow_db_session
from api_server.graphql.authorization import RootScopes, forbidden_fields
from api_server.graphql.context import GraphQLContext
from api_server.graphql.cost import PriceList
from api_server.graphql.document_limits import DocumentLimits, rule_for
from api_server.graphql.errors import QueryTooComplexError
from api_server.graphql.operations import OperationSelection
from api_server.graphql.prepared_documents import PreparedDocuments
from api_server.request_clock import arrival_of
from api_server.services.pagination import MAX_LIMIT
from api_server.settings import Settings

__all__ = [
    "DatabaseTransaction",
    "OperationChecks",
    "build_extensions",
    "operation_database",
    "operation_refusals",
    "produced_data",
]

CACHE_SIZE = 256  # distinct documents kept parsed and validated


@asynccontextmanager
async def operation_database(
    context: GraphQLContext, *, write: bool, kept: Callable[[], bool]
) -> AsyncIterator[None]:
    """The operation's database, as REST's, bound to `context` while the block runs: a
    mutation is one session and transaction (`get_db_session`), committed at the end only
    if `kept()`; a query reads through a read connection (`get_db_read_connection`: no ORM
    session, no transaction, each statement on its own as in a read session)."""
    request = getattr(context, "request", None)
    arrived_at = arrival_of(request.scope) if request is not None else None
    if not write:
        async with borrow_db_read_connection(arrived_at=arrived_at) as connection:
            context.bind_database(connection)
            try:
                yield
            finally:
                context.bind_database(None)
        return
    async with borrow_db_session(write=True, arrived_at=arrived_at) as session:
        context.bind_database(session)
        try:
            yield
        finally:
            context.bind_database(None)
        if not kept():
            await session.rollback()  # the commit at the end of the block is then empty


class DatabaseTransaction(SchemaExtension):
    """The operation's database (`operation_database`), for Strawberry's path.

    Opened when execution starts (documents rejected earlier never touch the database) and
    ended when execution ends, inside `schema.execute()`, so before the response is built.
    A mutation commits only if the operation produced `data`: every mutation field is
    non-null, so any failed mutation nulls `data` and the whole operation rolls back; the
    response never reports a success that was not kept, nor hides one that was. A failed
    commit becomes the operation's error (data null). Mutations take the writer turn
    (BEGIN IMMEDIATE on SQLite).
    """

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        write = execution.operation_type is OperationType.MUTATION
        async with operation_database(
            execution.context, write=write, kept=lambda: produced_data(execution.result)
        ):
            yield


def produced_data(result: Any) -> bool:
    return result is not None and result.data is not None


class OperationChecks(SchemaExtension):
    """Before execution, after the document's own rules (ValidationCache, listed earlier, has
    set `pre_execution_errors`, so only valid documents are checked): `operation_refusals()`.
    A document that passes is remembered in `prepared`: the router runs it again without
    Strawberry's per-request machinery (`graphql.fast_path`).

    One extension for both checks: each extension costs its hooks on every request.
    """

    def __init__(
        self, *, scopes: RootScopes, max_cost: int, prepared: PreparedDocuments | None = None
    ) -> None:
        super().__init__()
        self.scopes = scopes
        self.max_cost = max_cost
        self.prepared = prepared

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if context.pre_execution_errors == [] and document is not None:
            prices = PriceList(document)
            errors = operation_refusals(
                context.schema._schema,
                prices,
                context.operation_name,
                context.variables,
                principal=getattr(context.context, "principal", None),
                scopes=self.scopes,
                max_cost=self.max_cost,
            )
            if errors:
                context.pre_execution_errors = errors
            elif self.prepared is not None and context.query is not None:
                self.prepared.remember(context.query, prices)
        yield


def operation_refusals(
    schema: GraphQLSchema,
    prices: PriceList,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    *,
    principal: Principal | None,
    scopes: RootScopes,
    max_cost: int,
) -> list[GraphQLError]:
    """Why a valid operation may not run, or [] when it may:

    - the root fields' scopes (`graphql.authorization`): one FORBIDDEN error per field the
      caller may not use, and nothing runs;
    - the static cost (`graphql.cost`), above `max_cost` refused with QUERY_TOO_COMPLEX and
      the cost, priced for these variables (page sizes change it) by `prices`, the
      document's price list.
    """
    held = principal.scopes if principal is not None else frozenset()
    errors = forbidden_fields(prices.document, operation_name, scopes, held)
    if errors:
        return errors
    cost = prices.price(
        schema, operation_name=operation_name, variables=variables, unbounded=MAX_LIMIT
    )
    if cost > max_cost:
        error = QueryTooComplexError(cost, max_cost)
        return [GraphQLError(error.detail, original_error=error)]
    return []


def build_extensions(
    settings: Settings, scopes: RootScopes, prepared: PreparedDocuments | None = None
) -> list[Callable[[], SchemaExtension]]:
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
        lambda: OperationChecks(scopes=scopes, max_cost=max_cost, prepared=prepared),
        DatabaseTransaction,
    ]
