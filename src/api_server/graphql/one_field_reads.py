"""The commonest query, run without graphql-core's general machinery (docs/performance.md,
"GraphQL"): one root field, returning one object, of which plain leaves are selected.

    query($id: ID!) { patient(id: $id) { id firstName dateOfBirth conditions } }

graphql-core runs such a query through its general executor: it collects the root fields,
runs them concurrently with abort signals and incremental-delivery bookkeeping, awaits the
resolver through two wrappers, collects the object's fields and completes each. For a
single read that machinery cost about a quarter of the request. `OneFieldRead` is planned
once per prepared document and operation; a request then has graphql-core build its
executor (variables are coerced as always, and an error there goes the ordinary way), calls
the root field's resolver with the resolve info and arguments graphql-core would give it,
and reads the leaves (`leaf_fields`).

Only the ordinary case is done here: the resolver returns an object and every leaf is
plain. Anything else is handed, with the object already resolved, to the same executor's
own methods, as its `execute_field` would: the resolver's exception to
`handle_field_error`, a null, an error value or an unusual leaf to `complete_value`. So
every error is graphql-core's, and the root resolver runs once.

The resolver is called as graphql-core calls it without middleware: plans are run only by
the fast path, which exists only while no extension resolves fields
(`compat.strawberry.runs_plain_execution`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.collect_fields import FieldDetails
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path

from api_server.graphql.leaf_fields import Leaf, Unusual, plain_leaf

__all__ = ["OneFieldRead", "plan_one_field_read"]


@dataclass(frozen=True, slots=True)
class OneFieldRead:
    resolve: Callable[..., Any]
    node: FieldNode
    response_name: str
    field: GraphQLField
    root_type: GraphQLObjectType
    nullable: bool
    leaves: tuple[tuple[str, Leaf], ...]

    async def run(self, executor: Any) -> ExecutionResult:
        """The result, from `executor`: graphql-core's, built for this request."""
        path = Path(None, self.response_name, self.root_type.name)
        info = executor.build_resolve_info(self.field, [self.node], self.root_type, path)
        details = [FieldDetails(self.node, None)]
        try:
            arguments = get_argument_values(
                self.field, self.node, executor.variable_values, None, executor.hide_suggestions
            )
            source = self.resolve(None, info, **arguments)
            if executor.is_awaitable(source):
                source = await source
            try:
                value = self._plain(source, executor.is_awaitable)
            except Unusual:  # graphql-core completes it, and answers its errors
                value = executor.complete_value(self.field.type, details, info, path, source, None)
                if executor.is_awaitable(value):
                    value = await value
        except Exception as raw_error:  # noqa: BLE001  # graphql-core's handling, as in execute_field
            try:
                executor.handle_field_error(raw_error, self.field.type, details, path)
            except GraphQLError as error:  # a non-null field: the whole data is null
                executor.collected_errors.add(error, None)
                return executor.build_response(None)  # type: ignore[no-any-return]
            value = None
        return executor.build_response({self.response_name: value})  # type: ignore[no-any-return]

    def _plain(self, source: Any, is_awaitable: Callable[[Any], bool]) -> dict[str, Any]:
        if source is None or isinstance(source, Exception):
            raise Unusual  # null (an error if the field is non-null), or an error returned
        return {name: leaf.value(source, is_awaitable) for name, leaf in self.leaves}


def plan_one_field_read(
    schema: GraphQLSchema, operation: OperationDefinitionNode
) -> OneFieldRead | None:
    """The plan of `operation` when it is such a read, else None (graphql-core runs it)."""
    root_type = schema.query_type
    if operation.operation is not OperationType.QUERY or operation.directives or not root_type:
        return None
    selections = operation.selection_set.selections
    if len(selections) != 1 or not isinstance(selections[0], FieldNode):
        return None
    node = selections[0]
    field = root_type.fields.get(node.name.value)
    if field is None or node.directives or field.resolve is None or node.selection_set is None:
        return None  # introspection (`__typename`, `__schema`) included: not in `fields`
    nullable = not is_non_null_type(field.type)
    object_type = field.type if nullable else field.type.of_type
    if not is_object_type(object_type) or object_type.is_type_of is not None:
        return None
    leaves: list[tuple[str, Leaf]] = []
    for selection in node.selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.directives or selection.arguments:
            return None
        leaf = plain_leaf(object_type, selection.name.value)
        name = (selection.alias or selection.name).value
        if leaf is None or any(name == seen for seen, _ in leaves):
            return None  # a field selected twice is merged by graphql-core's rules
        leaves.append((name, leaf))
    response_name = (node.alias or node.name).value
    resolve = field.resolve
    return OneFieldRead(resolve, node, response_name, field, root_type, nullable, tuple(leaves))
