"""Scalar fields read straight from their parent (docs/performance.md, "GraphQL").

Most fields of a response are leaves with no resolver: `firstName` is the parent's
`first_name`, serialized. graphql-core still runs its whole field machinery for each one: a
resolve info, the resolver, a completion chain that checks for exceptions, non-null, lists,
leaves, abstract and object types in turn. For a patient's twelve fields that was about a
sixth of a GraphQL read. `LeafFieldExecutor` reads and serializes such a field in one step
and leaves every other case to graphql-core, including every error: a null in a non-null
field, a value the scalar refuses, anything awaitable. The field is then executed again the
ordinary way, which answers as graphql-core always does. Such a field has no resolver, so
reading it again costs nothing for a stored attribute; a property is evaluated once more
(twice more on a one-field read's path) when its value is unusual, which only a value
breaking the schema causes. Schemas that can stream (`@stream`, incremental execution) are
left to graphql-core entirely: it decides per list whether to stream.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any
from weakref import ref

from graphql import (
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfoHelpers,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
)
from graphql.pyutils import Path, Undefined

from api_server.compat.strawberry import ExecutionContextBase, is_plain_attribute

__all__ = ["Leaf", "LeafFieldExecutor", "Unusual", "executor_for_schema", "plain_leaf"]


class Unusual(Exception):
    """The value is not plain this time: graphql-core completes it (and answers its error)."""


@dataclass(frozen=True, slots=True)
class Leaf:
    read: Callable[[Any, None], Any]
    coerce: Callable[[Any], Any]
    nullable: bool
    items: bool  # a list of leaves
    items_nullable: bool

    def value(self, source: Any, is_awaitable: Callable[[Any], bool]) -> Any:
        try:
            raw = self.read(source, None)
        except Exception:  # noqa: BLE001  # graphql-core reads it again and reports it
            raise Unusual from None
        if raw is None:
            if self.nullable:
                return None
            raise Unusual
        if is_awaitable(raw):
            raise Unusual  # never awaited here: graphql-core reads it again
        if not self.items:
            return self._one(raw, is_awaitable, nullable=False)
        if not isinstance(raw, list | tuple):
            raise Unusual  # other iterables, async ones included: graphql-core's rules
        return [self._one(item, is_awaitable, nullable=self.items_nullable) for item in raw]

    def _one(self, raw: Any, is_awaitable: Callable[[Any], bool], *, nullable: bool) -> Any:
        if raw is None:
            if nullable:
                return None
            raise Unusual
        if isinstance(raw, Exception) or is_awaitable(raw):
            raise Unusual  # graphql-core raises it, or awaits it (a list's items included)
        try:
            coerced = self.coerce(raw)
        except Exception:  # noqa: BLE001  # graphql-core raises it again, with the field's path
            raise Unusual from None
        if coerced is None or coerced is Undefined:
            raise Unusual
        return coerced


def plain_leaf(parent_type: GraphQLObjectType, name: str) -> Leaf | None:
    """How to read field `name` of `parent_type` when it is a plain leaf (a scalar, an enum
    or a list of them, with no arguments and no resolver of its own), else None."""
    field = parent_type.fields.get(name)
    if field is None or field.args or field.resolve is None:
        return None
    if not is_plain_attribute(field.resolve):
        return None
    kind: GraphQLOutputType = field.type
    nullable = not is_non_null_type(kind)
    kind = kind if nullable else kind.of_type  # type: ignore[union-attr]
    items = is_list_type(kind)
    items_nullable = True
    if items:
        kind = kind.of_type  # type: ignore[union-attr]
        items_nullable = not is_non_null_type(kind)
        kind = kind if items_nullable else kind.of_type  # type: ignore[union-attr]
    if not is_leaf_type(kind):
        return None
    return Leaf(field.resolve, kind.coerce_output_value, nullable, items, items_nullable)


class LeafFieldExecutor(ExecutionContextBase):
    """Strawberry's executor, with plain leaf fields completed in one step."""

    # (type name, field name) -> how to read it, or None when graphql-core executes it.
    # One dict per schema: executor_for_schema() makes the subclass.
    _leaves: dict[tuple[str, str], Leaf | None]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.async_helpers = _helpers_of(ref(self))

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        manager = self.middleware_manager  # Strawberry passes one, empty without extensions
        if manager is None or not manager.middlewares:
            name = field_details_list[0].node.name.value
            key = (parent_type.name, name)
            try:
                leaf = self._leaves[key]
            except KeyError:
                streams = self.schema.get_directive("stream") is not None
                leaf = self._leaves[key] = None if streams else plain_leaf(parent_type, name)
            if leaf is not None:
                try:
                    return leaf.value(source, self.is_awaitable)
                except Unusual:
                    pass
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )


def executor_for_schema() -> type[LeafFieldExecutor]:
    """A `LeafFieldExecutor` class with its own field cache, for one schema."""
    return type("LeafFieldExecutor", (LeafFieldExecutor,), {"_leaves": {}})


def _helpers_of(executor: ref[Any]) -> GraphQLResolveInfoHelpers:
    """graphql-core's resolver helpers for `executor`, through a weak reference.

    graphql-core gives the executor helpers that are its own bound methods: a reference cycle
    that keeps the executor, its context and with it the whole request (body, headers,
    loaders, rows) alive until a full collection, hundreds of requests later under load,
    instead of freeing it with the response (docs/performance.md, "Memory"). The executor
    outlives every call: the frames of its execution, background settling included, hold it.
    """

    def running() -> Any:
        found = executor()
        if found is None:  # a resolve info kept and used after its operation ended
            raise RuntimeError("the GraphQL operation of this resolve info has ended")
        return found

    def gather(values: Sequence[Awaitable[Any]]) -> Awaitable[list[Any]]:
        return running().gather_async_work(values)  # type: ignore[no-any-return]

    def track(values: Sequence[Any]) -> None:
        running().track_async_work(values)

    return GraphQLResolveInfoHelpers(gather=gather, track=track)
