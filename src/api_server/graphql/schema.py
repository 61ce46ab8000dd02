"""The schema, built once per application."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphql import GraphQLError
from strawberry import Schema
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from api_server.domain import Domain
from api_server.graphql.authorization import root_scopes
from api_server.graphql.errors import log_error
from api_server.graphql.extensions import build_extensions
from api_server.settings import Settings

__all__ = ["ApiSchema", "build_schema"]


class ApiSchema(Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Strawberry logs every error with its traceback; only server faults deserve that.
        for error in errors:
            log_error(error)


def _merged(name: str, types: list[type[Any]]) -> type[Any] | None:
    if not types:
        return None
    return types[0] if len(types) == 1 else merge_types(name, tuple(types))


def build_schema(settings: Settings, domains: Sequence[Domain]) -> ApiSchema:
    """The schema of `domains` (their Query and Mutation fields merged into one root each),
    with the limits and switches of `settings`."""
    queries: list[type[Any]] = []
    mutations: list[type[Any]] = []
    for domain in domains:
        query, mutation = domain.graphql_types()
        queries += [query] if query is not None else []
        mutations += [mutation] if mutation is not None else []
    query_root = _merged("Query", queries)
    if query_root is None:
        raise ValueError("the GraphQL profile needs at least one domain with query fields")
    return ApiSchema(
        query=query_root,
        mutation=_merged("Mutation", mutations),
        extensions=build_extensions(settings, root_scopes(domains)),
    )
