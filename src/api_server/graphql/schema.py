"""The schema, built once per application."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry import Schema
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.name_converter import NameConverter
from strawberry.types import ExecutionContext
from strawberry.types.base import get_object_definition

from api_server.compat.strawberry import runs_plain_execution
from api_server.domain import Domain
from api_server.graphql.authorization import root_scopes
from api_server.graphql.errors import log_error
from api_server.graphql.extensions import CACHE_SIZE, build_extensions
from api_server.graphql.fast_path import FastPath
from api_server.graphql.leaf_fields import executor_for_schema
from api_server.graphql.prepared_documents import PreparedDocuments
from api_server.graphql.scalars import SCALARS
from api_server.settings import Settings

__all__ = ["ApiSchema", "build_schema"]

ROOT_DESCRIPTIONS = {
    "Query": "What can be read. A root field the caller's scopes do not allow is refused, "
    "with the whole operation, before anything runs.",
    "Mutation": "What can be changed. An operation is one transaction: if any of its fields "
    "fails, none of its changes is kept.",
}


class _NameConverter(NameConverter):
    """Strawberry's names, each converted once. Strawberry converts every argument's name
    on every request (to find it in the request's arguments): 3% of a single read."""

    MAX_NAMES = 4096  # the schema's names; a bound all the same

    def __init__(self) -> None:
        super().__init__()
        self._names: dict[str, str] = {}

    def apply_naming_config(self, name: str) -> str:
        try:
            return self._names[name]
        except KeyError:
            converted = super().apply_naming_config(name)
            if len(self._names) < self.MAX_NAMES:
                self._names[name] = converted
            return converted


class ApiSchema(Schema):
    # Set by build_schema(): how the router runs documents accepted before (None: it never
    # does, Strawberry runs every request).
    fast_path: FastPath | None = None

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Strawberry logs every error with its traceback; only server faults deserve that.
        for error in errors:
            log_error(error)


def _merged(name: str, types: list[type[Any]]) -> type[Any] | None:
    """One root type with the fields of the domains' `types` (as Strawberry's merge_types),
    described; two domains declaring the same root field fail here, at start-up."""
    if not types:
        return None
    seen: dict[str, type[Any]] = {}
    for root in types:
        definition = get_object_definition(root, strict=True)
        for field in definition.fields:
            if field.python_name in seen:
                raise ValueError(
                    f"{name}.{field.python_name} is declared by {seen[field.python_name]} "
                    f"and by {root}"
                )
            seen[field.python_name] = root
    root_type: type[Any] = strawberry.type(
        type(name, tuple(types), {}), name=name, description=ROOT_DESCRIPTIONS[name]
    )
    return root_type


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
    scopes = root_scopes(domains)
    prepared = PreparedDocuments(maxsize=CACHE_SIZE)
    schema = ApiSchema(
        query=query_root,
        mutation=_merged("Mutation", mutations),
        extensions=build_extensions(settings, scopes, prepared),
        config=StrawberryConfig(scalar_map=SCALARS, name_converter=_NameConverter()),
        execution_context_class=executor_for_schema(),
    )
    if runs_plain_execution(schema):
        schema.fast_path = FastPath(prepared, scopes, settings.graphql_max_cost)
    return schema
