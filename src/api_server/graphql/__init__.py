"""GraphQL at /graphql (Strawberry): the REST services, registry and errors, over one schema.

`install_graphql(app, settings)` mounts it; `build_schema(settings)` builds the schema alone.
"""

from api_server.graphql.context import GraphQLContext
from api_server.graphql.router import install_graphql
from api_server.graphql.schema import build_schema

__all__ = ["GraphQLContext", "build_schema", "install_graphql"]
