"""A static price for an operation, computed after validation and before execution.

The cost is an upper bound on the number of fields the response can hold: every field
counts 1, times the number of items of each list of objects above it (a list of scalars is
one stored value and counts 1). A list's item count is the page
size that bounds it: the `first` argument of the list field itself, or of the connection
field whose object holds the list (`patients(first: 5) { edges { ... } }` counts 5 edges).
A list with no page size counts `unbounded` items (the largest page). Variables count with
the values sent; a `first` outside 1..`unbounded` counts as `unbounded` (the resolver then
refuses it, naming the argument). Introspection fields count 1: the schema bounds them.

Fragments count as the executor runs them: a selection set collects each fragment once,
however often it is spread there (a "fragment bomb" resolves its fields once), and each
fragment is priced once per page size it is spread under, so the work stays linear in the
document. @skip/@include are not evaluated: the price is an upper bound.

A price depends on the document, the operation and the values of the variables given as a
page size, nothing else: `PriceList` remembers a document's prices by those.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInt,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Undefined,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
    value_from_ast,
    value_from_ast_untyped,
)

__all__ = ["PAGE_ARGUMENT", "PriceList", "operation_cost"]

PAGE_ARGUMENT = "first"
_ABSENT = object()


@dataclass
class _Scope:
    """A selection set as the executor collects it: its fields (through inline fragments),
    and the fragments it spreads."""

    fields: list[tuple[FieldNode, GraphQLNamedType | None]] = field(default_factory=list)
    spreads: set[str] = field(default_factory=set)


class _Pricer:
    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: dict[str, Any],
        unbounded: int,
    ) -> None:
        self.schema = schema
        self.variables = variables
        self.unbounded = unbounded
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self._bodies: dict[str, _Scope] = {}
        self._reach: dict[str, frozenset[str]] = {}
        self._priced: dict[tuple[str, int | None], int] = {}

    def scope(self, selection_set: SelectionSetNode, parent: GraphQLNamedType | None) -> _Scope:
        found = _Scope()
        stack = [(selection_set, parent)]
        while stack:
            selections, inner = stack.pop()
            for selection in selections.selections:
                if isinstance(selection, FieldNode):
                    found.fields.append((selection, inner))
                elif isinstance(selection, FragmentSpreadNode):
                    found.spreads.add(selection.name.value)
                elif isinstance(selection, InlineFragmentNode):
                    condition = selection.type_condition
                    typed = self.schema.get_type(condition.name.value) if condition else inner
                    stack.append((selection.selection_set, typed))
        return found

    def body(self, name: str) -> _Scope:
        known = self._bodies.get(name)
        if known is None:
            definition = self.fragments.get(name)
            if definition is None:
                known = _Scope()  # unknown: validation has refused the document already
            else:
                parent = self.schema.get_type(definition.type_condition.name.value)
                known = self.scope(definition.selection_set, parent)
            self._bodies[name] = known
        return known

    def reach(self, name: str) -> frozenset[str]:
        """`name` and every fragment it spreads, transitively: what the executor visits
        when it collects a spread of `name` (each fragment once per selection set)."""
        known = self._reach.get(name)
        if known is None:
            self._reach[name] = frozenset({name})  # a cycle (refused by validation) ends here
            found = {name}
            for spread in self.body(name).spreads:
                found |= self.reach(spread)
            known = self._reach[name] = frozenset(found)
        return known

    def selections(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType | None, page: int | None
    ) -> int:
        collected = self.scope(selection_set, parent)
        visited: set[str] = set()
        for spread in collected.spreads:
            visited |= self.reach(spread)
        return sum(self.field(node, inner, page) for node, inner in collected.fields) + sum(
            self.fragment(name, page) for name in visited
        )

    def fragment(self, name: str, page: int | None) -> int:
        """The fields written in fragment `name` itself (its spreads are priced by the
        selection set that reaches them)."""
        known = self._priced.get((name, page))
        if known is None:
            known = sum(self.field(node, inner, page) for node, inner in self.body(name).fields)
            self._priced[(name, page)] = known
        return known

    def field(self, node: FieldNode, parent: GraphQLNamedType | None, page: int | None) -> int:
        fields: dict[str, GraphQLField] = getattr(parent, "fields", {})
        definition = fields.get(node.name.value)
        if definition is None:
            return 1  # `__typename`, introspection: bounded by the schema
        if node.selection_set is None:
            return 1  # a leaf, a list of scalars included: one stored value
        own_page = self.page_size(node, definition)
        items = 1
        if is_list_type(get_nullable_type(definition.type)):
            items = own_page or page or self.unbounded
        inner = self.selections(node.selection_set, get_named_type(definition.type), own_page)
        return items * (1 + inner)

    def page_size(self, node: FieldNode, definition: GraphQLField) -> int | None:
        argument = definition.args.get(PAGE_ARGUMENT)
        if argument is None:
            return None
        value: Any = argument.default_value
        for given in node.arguments or ():
            if given.name.value == PAGE_ARGUMENT:
                sent = value_from_ast(given.value, GraphQLInt, self.variables)
                value = value if sent is Undefined else sent  # an absent variable: the default
        if value is None:
            return None  # the resolver's default size, which the schema does not state
        if not isinstance(value, int) or isinstance(value, bool):
            return self.unbounded
        return value if 1 <= value <= self.unbounded else self.unbounded


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    *,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    unbounded: int,
) -> int:
    """The price of the operation `operation_name` selects (the dearest one when the name
    selects none: execution then refuses the document anyway)."""
    roots = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if o.name is not None and o.name.value == operation_name]
    costs = [0]
    for operation in chosen or operations:
        pricer = _Pricer(schema, document, _with_defaults(operation, variables or {}), unbounded)
        costs.append(pricer.selections(operation.selection_set, roots[operation.operation], None))
    return max(costs)


def _with_defaults(
    operation: OperationDefinitionNode, variables: Mapping[str, Any]
) -> dict[str, Any]:
    """The variables sent, plus the operation's defaults for those not sent."""
    found = dict(variables)
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if name not in found and definition.default_value is not None:
            found[name] = value_from_ast_untyped(definition.default_value)
    return found


class PriceList:
    """The prices of one document's operations, remembered by the operation's name and the
    values of the variables the price reads (those given as a page size). The `maxsize`
    most recently used are kept; a price whose variables cannot be a key (a list sent for a
    page size) is computed every time."""

    def __init__(self, document: DocumentNode, *, maxsize: int = 16) -> None:
        self.document = document
        self.maxsize = maxsize
        self._inputs = tuple(sorted(_page_variables(document)))
        self._known: OrderedDict[tuple[Any, ...], int] = OrderedDict()

    def price(
        self,
        schema: GraphQLSchema,
        *,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
        unbounded: int,
    ) -> int:
        given = variables or {}
        # The type is part of the key: 1, 1.0 and True are equal but price differently.
        values = (given.get(name, _ABSENT) for name in self._inputs)  # absent is not null
        key = (operation_name, unbounded, *((type(v), v) for v in values))
        try:
            price = self._known[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable value: priced, not remembered
            key = ()
        else:
            self._known.move_to_end(key)
            return price
        cost = operation_cost(
            schema,
            self.document,
            operation_name=operation_name,
            variables=variables,
            unbounded=unbounded,
        )
        if key:
            self._known[key] = cost
            if len(self._known) > self.maxsize:
                self._known.popitem(last=False)
        return cost


def _page_variables(document: DocumentNode) -> set[str]:
    """The variables given as a `first` argument anywhere in the document."""
    found: set[str] = set()
    stack = [d.selection_set for d in document.definitions if hasattr(d, "selection_set")]
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FieldNode):
                for argument in selection.arguments or ():
                    value = argument.value
                    if argument.name.value == PAGE_ARGUMENT and isinstance(value, VariableNode):
                        found.add(value.name.value)
            inner = getattr(selection, "selection_set", None)  # a spread has none
            if inner is not None:
                stack.append(inner)
    return found
