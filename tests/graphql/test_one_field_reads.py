"""One-field reads (`graphql.one_field_reads`): which operations are planned, and that a
planned one answers exactly as graphql-core does, errors included."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import get_operation_ast, parse

from api_server.compat.strawberry import DocumentRun, build_executor, execute_document
from api_server.graphql.one_field_reads import plan_one_field_read
from tests.graphql.test_leaf_fields import FIELDS, THINGS, answer, schemas

PLANNED = [
    "{ thing { name count } }",
    "query($k: String!) { t: thing(kind: $k) { n: name tags colour } }",
    "{ must { at maybeTags } }",
    "query Named { later { name } }",
]
NOT_PLANNED = [
    "{ thing { name } things { name } }",  # two root fields
    "{ things { name } }",  # a list
    "{ thing { name shout } }",  # a field with a resolver
    "{ thing { __typename name } }",  # introspection
    "{ thing { ...F } } fragment F on Thing { name }",  # a fragment
    "{ thing { ... on Thing { name } } }",
    "{ thing { name @include(if: true) } }",  # a directive
    "{ thing @skip(if: false) { name } }",
    "{ thing { name name } }",  # merged by graphql-core
    "{ thing { a: name a: nickname } }",
    "{ __typename }",
    '{ __type(name: "Thing") { name } }',
]


@pytest.mark.parametrize(
    ("text", "planned"),
    [(text, True) for text in PLANNED] + [(text, False) for text in NOT_PLANNED],
)
def test_reads_of_one_object_s_plain_leaves_are_planned_and_nothing_else(
    text: str, planned: bool
) -> None:
    _, leafy = schemas()
    operation = get_operation_ast(parse(text))
    assert operation is not None
    assert (plan_one_field_read(leafy._schema, operation) is not None) is planned


def test_mutations_are_not_planned() -> None:
    _, leafy = schemas()
    operation = get_operation_ast(parse("mutation { thing { name } }"))
    assert operation is not None
    assert plan_one_field_read(leafy._schema, operation) is None


async def run_both(text: str, variables: dict[str, Any]) -> tuple[Any, Any]:
    _, leafy = schemas()
    document = parse(text)
    operation = get_operation_ast(document)
    assert operation is not None
    plan = plan_one_field_read(leafy._schema, operation)
    assert plan is not None
    run = DocumentRun(document, variables, None, None, None)
    executor = build_executor(leafy, run)
    assert not isinstance(executor, list)
    planned = await plan.run(executor)
    ordinary = await execute_document(leafy, run)
    return planned, ordinary


def answer_with_locations(result: Any) -> Any:
    data, errors = answer(result)
    located = [(e.locations, e.extensions) for e in result.errors or []]
    return data, errors, located


@pytest.mark.parametrize("root", ["thing", "must", "later"])
@pytest.mark.parametrize("kind", sorted(THINGS))
async def test_a_planned_read_answers_as_graphql_core(
    root: str, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fields = FIELDS.replace(" shout", "")
    text = f"query($kind: String!) {{ answer: {root}(kind: $kind) {{ {fields} }} }}"
    calls: list[str] = []
    make = THINGS[kind]

    def counted() -> Any:
        calls.append(kind)
        return make()

    monkeypatch.setitem(THINGS, kind, counted)
    planned, ordinary = await run_both(text, {"kind": kind})
    assert calls == [kind, kind]  # once each: an unusual value is not resolved again
    assert answer_with_locations(planned) == answer_with_locations(ordinary)
    fine = {"good", "awaitable", "awaitable_items"} | ({"none"} if root != "must" else set())
    assert (planned.errors is None) == (kind in fine)
