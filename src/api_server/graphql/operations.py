"""Which operation of a document runs: GraphQL's GetOperation(), before Strawberry picks one.

Asked for no operation name, Strawberry runs a document's first operation (GraphQL refuses a
document with several); asked for a name the document lacks, it answers an HTTP 400 of its
own. Both are GraphQL request errors here, like any document error
(GRAPHQL_VALIDATION_FAILED): the router answers them with the status of the media type.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import DocumentNode, GraphQLError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension

from api_server.compat.strawberry import requested_operation_name

__all__ = ["OperationSelection", "operation_error"]


def operation_error(document: DocumentNode, name: str | None) -> GraphQLError | None:
    """The request error of GetOperation(document, name), or None when it selects one."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is not None:
        if any(operation.name and operation.name.value == name for operation in operations):
            return None
        return GraphQLError(f'Unknown operation named "{name}".')
    if len(operations) == 1:
        return None
    if not operations:
        return GraphQLError("Must provide an operation.")
    return GraphQLError("Must provide operation name if query contains multiple operations.")


class OperationSelection(SchemaExtension):
    """Refuses, right after parsing, a request whose operation GetOperation() cannot select.

    The error is raised: Strawberry decides the operation's type between parsing and
    validation and would fail on an unknown name first; an exception from a hook becomes the
    operation's only error, before validation and execution (tests/compat).
    """

    def on_parse(self) -> Iterator[None]:
        yield
        context = self.execution_context
        if context.graphql_document is not None:  # else the syntax error is the answer
            error = operation_error(context.graphql_document, requested_operation_name(context))
            if error is not None:
                raise error
