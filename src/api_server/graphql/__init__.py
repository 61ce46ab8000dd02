"""GraphQL at /graphql (Strawberry): the REST services, registry and errors, over one schema.

`install_graphql(app, settings, domains)` mounts it; `build_schema(settings, domains)` builds
the schema alone, from the Query and Mutation fields of the domains.
"""

from api_server.graphql.context import GraphQLContext
from api_server.graphql.router import install_graphql
from api_server.graphql.schema import build_schema

__all__ = ["GraphQLContext", "build_schema", "install_graphql"]
