"""Depth, alias and fragment limits whose cost grows with the document's size.

Strawberry's depth and alias validators walk a fragment again at every spread: a document of
19 fragments, each spreading the next twice, took seconds of the event loop (2**19 walks).
Here each fragment is measured once and its result reused at every spread, so the work is
linear in the document; a cap on fragment definitions and spreads bounds the rest.

The limits mean what Strawberry's meant: depth counts the fields with a selection set along
the deepest path (introspection fields not counted), and aliases are counted as executed, a
fragment's once per spread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)

__all__ = ["DocumentLimits", "measure", "rule_for"]


@dataclass(frozen=True)
class DocumentLimits:
    max_depth: int
    max_aliases: int
    max_fragments: int
    max_spreads: int


@dataclass(frozen=True)
class Measure:
    depth: int  # fields with a selection set along the deepest path
    aliases: int  # aliased fields, counted as executed


class _Measurer:
    def __init__(self, document: DocumentNode) -> None:
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self._done: dict[str, Measure] = {}
        self._in_progress: set[str] = set()

    def fragment(self, name: str) -> Measure:
        known = self._done.get(name)
        if known is not None:
            return known
        definition = self.fragments.get(name)
        if definition is None or name in self._in_progress:
            return Measure(0, 0)  # unknown or cyclic: graphql-core's own rules report those
        self._in_progress.add(name)
        try:
            found = self.selections(definition.selection_set)
        finally:
            self._in_progress.discard(name)
        self._done[name] = found
        return found

    def selections(self, selection_set: SelectionSetNode | None) -> Measure:
        depth = aliases = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                inner = self.field(selection)
            elif isinstance(selection, FragmentSpreadNode):
                inner = self.fragment(selection.name.value)
            elif isinstance(selection, InlineFragmentNode):
                inner = self.selections(selection.selection_set)
            else:
                continue
            depth, aliases = max(depth, inner.depth), aliases + inner.aliases
        return Measure(depth, aliases)

    def field(self, node: FieldNode) -> Measure:
        aliased = 1 if node.alias is not None else 0
        if node.name.value.startswith("__") or node.selection_set is None:
            return Measure(0, aliased + self._aliases_only(node))
        inner = self.selections(node.selection_set)
        return Measure(1 + inner.depth, aliased + inner.aliases)

    def _aliases_only(self, node: FieldNode) -> int:
        return self.selections(node.selection_set).aliases if node.selection_set else 0


def measure(document: DocumentNode) -> dict[str, Measure]:
    """Depth and aliases of each operation of `document`, in one linear pass."""
    measurer = _Measurer(document)
    return {
        (operation.name.value if operation.name else "anonymous"): measurer.selections(
            operation.selection_set
        )
        for operation in document.definitions
        if isinstance(operation, OperationDefinitionNode)
    }


def _spreads(document: DocumentNode) -> int:
    count = 0
    stack: list[Any] = list(document.definitions)
    while stack:
        node = stack.pop()
        if isinstance(node, FragmentSpreadNode):
            count += 1
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)
    return count


def rule_for(limits: DocumentLimits) -> type[ValidationRule]:
    """A graphql-core validation rule enforcing `limits` (built once: the validation cache is
    keyed by the rule classes)."""

    class DocumentLimitsRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            document = context.document
            report: Callable[[str], None] = lambda message: context.report_error(  # noqa: E731
                GraphQLError(message)
            )
            fragments = sum(isinstance(d, FragmentDefinitionNode) for d in document.definitions)
            if fragments > limits.max_fragments:
                report(f"{fragments} fragments defined. Allowed: {limits.max_fragments}")
                return
            spreads = _spreads(document)
            if spreads > limits.max_spreads:
                report(f"{spreads} fragment spreads found. Allowed: {limits.max_spreads}")
                return
            measured = measure(document)
            for name, found in measured.items():
                if found.depth > limits.max_depth:
                    report(f"'{name}' exceeds maximum operation depth of {limits.max_depth}")
            aliases = sum(found.aliases for found in measured.values())
            if aliases > limits.max_aliases:
                report(f"{aliases} aliases found. Allowed: {limits.max_aliases}")

    return DocumentLimitsRule
