"""The schema, built once per application."""

from __future__ import annotations

from graphql import GraphQLError
from strawberry import Schema
from strawberry.types import ExecutionContext

from api_server.graphql.errors import log_error
from api_server.graphql.extensions import build_extensions
from api_server.graphql.mutation import Mutation
from api_server.graphql.query import Query
from api_server.settings import Settings

__all__ = ["ApiSchema", "build_schema"]


class ApiSchema(Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Strawberry logs every error with its traceback; only server faults deserve that.
        for error in errors:
            log_error(error)


def build_schema(settings: Settings) -> ApiSchema:
    """The GraphQL schema with the limits and switches of `settings`."""
    return ApiSchema(query=Query, mutation=Mutation, extensions=build_extensions(settings))
