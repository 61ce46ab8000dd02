"""Scopes of GraphQL root fields: a domain's query fields need its read scope, its mutation
fields its write scope (`Domain.read_scope` / `write_scope`), checked before execution.

The router has authenticated the caller already (401 otherwise). An operation selecting a
root field the caller may not use is refused as a whole, one FORBIDDEN error per such field,
with the scope it needs: nothing runs, nothing is half-done. Nested fields are the root
field's domain's data; a domain exposing another domain's data below its own fields checks
`info.context.principal` in that resolver.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationType,
    SelectionSetNode,
    get_operation_ast,
)
from strawberry.schema.name_converter import NameConverter
from strawberry.types.base import get_object_definition

from api_server.auth.errors import ForbiddenError
from api_server.domain import Domain

__all__ = ["RootScopes", "forbidden_fields", "root_scopes"]

RootScopes = Mapping[tuple[OperationType, str], str]


def root_scopes(domains: Sequence[Domain]) -> dict[tuple[OperationType, str], str]:
    """(operation type, root field name in the schema) -> the scope it needs."""
    names = NameConverter()
    scopes: dict[tuple[OperationType, str], str] = {}
    for domain in domains:
        query, mutation = domain.graphql_types()
        for kind, root, scope in (
            (OperationType.QUERY, query, domain.read_scope),
            (OperationType.MUTATION, mutation, domain.write_scope),
        ):
            definition = get_object_definition(root) if root is not None else None
            for field in definition.fields if definition else ():
                scopes[(kind, names.get_graphql_name(field))] = scope
    return scopes


def _root_fields(
    selection_set: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode]
) -> Iterator[FieldNode]:
    visited: set[str] = set()
    stack = [selection_set]
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                stack.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in visited and name in fragments:
                    visited.add(name)
                    stack.append(fragments[name].selection_set)


def forbidden_fields(
    document: DocumentNode, operation_name: str | None, scopes: RootScopes, held: frozenset[str]
) -> list[GraphQLError]:
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return []  # no single operation selected: execution refuses the document
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    errors: list[GraphQLError] = []
    for node in _root_fields(operation.selection_set, fragments):
        needed = scopes.get((operation.operation, node.name.value))
        if needed is not None and needed not in held:
            error = ForbiddenError(needed, what=f"the field {node.name.value}")
            key = node.alias.value if node.alias else node.name.value
            errors.append(
                GraphQLError(error.detail, nodes=[node], path=[key], original_error=error)
            )
    return errors
