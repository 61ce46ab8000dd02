"""`LeafFieldExecutor`: plain leaf fields completed in one step answer exactly as graphql-core's
own executor does, errors included, and only plain leaves take the short way."""

from __future__ import annotations

import asyncio
import enum
import gc
from datetime import UTC, datetime
from typing import Any

import pytest
import strawberry
from graphql import ExecutionResult, GraphQLError
from strawberry.scalars import JSON

from api_server.graphql.leaf_fields import LeafFieldExecutor, executor_for_schema
from api_server.graphql.scalars import SCALARS


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"


class Broken:
    @property
    def boom(self) -> str:
        raise RuntimeError("the attribute itself fails")


@strawberry.type
class Thing:
    name: str
    nickname: str | None
    count: int
    colour: Colour
    at: datetime
    tags: list[str]
    maybe_tags: list[str | None] | None
    boom: str
    data: list[JSON]  # a scalar that takes anything: only the executor can refuse an awaitable

    @strawberry.field
    def shout(self) -> str:  # a resolver: graphql-core's way
        return self.name.upper()


@strawberry.type
class Query:
    @strawberry.field
    def thing(self, kind: str = "good") -> Thing | None:
        return THINGS[kind]()

    @strawberry.field
    def things(self) -> list[Thing]:
        return [THINGS["good"](), THINGS["good"]()]

    @strawberry.field
    def must(self, kind: str = "good") -> Thing:  # non-null
        return THINGS[kind]()  # type: ignore[no-any-return]

    @strawberry.field
    async def later(self, kind: str = "good") -> Thing | None:
        return THINGS[kind]()  # type: ignore[no-any-return]


async def later() -> str:
    return "awaited"


async def one_item() -> dict[str, int]:
    return {"a": 1}


def good() -> Any:
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    return Thing(  # type: ignore[call-arg]
        name="ann", nickname=None, count=3, colour=Colour.RED, at=at, tags=["a", "b"],
        maybe_tags=["x", None], boom="fine", data=[{"a": 1}],
    )  # fmt: skip


def with_(**changes: Any) -> Any:
    def make() -> Any:
        thing = good()
        for name, value in changes.items():
            object.__setattr__(thing, name, value)
        return thing

    return make


class RaisingThing(Broken):
    def __init__(self) -> None:
        self.__dict__.update(vars(good()))


THINGS: dict[str, Any] = {
    "good": good,
    "null_name": with_(name=None),  # non-null: an error, and the parent goes null
    "null_tag": with_(tags=["a", None]),  # non-null items
    "count_not_int": with_(count="many"),  # Int refuses it
    "too_big": with_(count=2**40),  # Int refuses it too
    "tags_not_list": with_(tags="ab"),  # a string is iterable, graphql-core's rules apply
    "callable": with_(name=later),  # a function is not a string, for either
    "awaitable": lambda: with_(name=later())(),  # awaited, by graphql-core
    "awaitable_items": lambda: with_(data=[one_item()])(),  # each item awaited too
    "raising": RaisingThing,
    "none": lambda: None,
    "failing": lambda: (_ for _ in ()).throw(ValueError("the resolver fails")),
    "refused": lambda: (_ for _ in ()).throw(GraphQLError("no", extensions={"code": "NOPE"})),
    "returned_error": lambda: ValueError("returned, not raised"),
}

FIELDS = "name nickname count colour at tags maybeTags boom data shout"


def schemas() -> tuple[strawberry.Schema, strawberry.Schema]:
    config = strawberry.schema.config.StrawberryConfig(scalar_map=SCALARS)
    plain = strawberry.Schema(query=Query, config=config)
    leafy = strawberry.Schema(
        query=Query, config=config, execution_context_class=executor_for_schema()
    )
    return plain, leafy


def answer(result: Any) -> tuple[Any, list[tuple[str, Any]]]:
    errors = [(e.message, e.path) for e in result.errors or []]
    return result.data, errors


LEAF_KINDS = sorted(set(THINGS) - {"none", "failing", "refused", "returned_error"})


@pytest.mark.parametrize("kind", LEAF_KINDS)
async def test_answers_as_graphql_core_for_every_value(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain, leafy = schemas()
    query = f'{{ thing(kind: "{kind}") {{ {FIELDS} }} things {{ name count }} }}'
    expected = await plain.execute(query)
    short: list[str] = []
    ordinary = LeafFieldExecutor.__mro__[1].execute_field

    def spy(self: Any, parent_type: Any, source: Any, details: Any, *rest: Any) -> Any:
        short.append(details[0].node.name.value)
        return ordinary(self, parent_type, source, details, *rest)

    monkeypatch.setattr(LeafFieldExecutor.__mro__[1], "execute_field", spy)
    got = await leafy.execute(query)
    assert answer(got) == answer(expected)
    assert kind != "good" or expected.errors is None
    # Only the roots, the resolver field and what a value made irregular went the long way.
    irregular = {
        "null_name": {"name"},
        "null_tag": {"tags"},
        "count_not_int": {"count"},
        "too_big": {"count"},
        "tags_not_list": {"tags"},
        "callable": {"name"},
        "awaitable": {"name"},
        "awaitable_items": {"data"},
        "raising": {"boom"},
    }.get(kind, set())
    # (A non-null field that fails ends its object: `shout`, after it, may not run.)
    assert {"thing", "things", *irregular} <= set(short) <= {"thing", "things", "shout", *irregular}
    assert kind != "good" or set(short) == {"thing", "things", "shout"}


async def test_a_plain_leaf_skips_graphql_cores_field_machinery(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, leafy = schemas()
    built: list[str] = []
    info = LeafFieldExecutor.build_resolve_info

    def spy(self: Any, field_def: Any, nodes: Any, *rest: Any) -> Any:
        built.append(nodes[0].name.value)
        return info(self, field_def, nodes, *rest)

    monkeypatch.setattr(LeafFieldExecutor, "build_resolve_info", spy)
    result: ExecutionResult = await leafy.execute(f"{{ thing {{ {FIELDS} }} }}")
    assert result.errors is None
    assert result.data is not None
    assert result.data["thing"]["at"] == "2026-01-02T03:04:05Z"
    assert result.data["thing"]["maybeTags"] == ["x", None]
    assert sorted(built) == ["shout", "thing"]


def test_each_schema_has_its_own_field_cache() -> None:
    first, second = executor_for_schema(), executor_for_schema()
    assert issubclass(first, LeafFieldExecutor)
    assert first._leaves is not second._leaves


CHILD_RESOLVED = "child_resolved"


@strawberry.type
class Child:
    @strawberry.field
    def name(self, info: strawberry.Info) -> str:
        info.context[CHILD_RESOLVED].set()
        return "c"


@strawberry.type
class Parent:
    @strawberry.field
    def child(self) -> Child:
        return Child()


@strawberry.type
class RacingQuery:
    @strawberry.field
    async def slow(self) -> Parent:
        await asyncio.sleep(0)
        return Parent()

    @strawberry.field
    def fails(self) -> str:
        raise RuntimeError("fails at once")


@pytest.mark.parametrize("executor", ["graphql-core's", "leafy"])
async def test_work_left_running_by_a_failed_sibling_still_completes(executor: str) -> None:
    """A non-null field that fails at once ends the operation while `slow` is pending;
    graphql-core settles `slow` in the background, which builds resolve infos after the
    response was built: the executor's helpers must still be there."""
    kwargs = (
        {} if executor == "graphql-core's" else {"execution_context_class": executor_for_schema()}
    )
    schema = strawberry.Schema(query=RacingQuery, **kwargs)  # type: ignore[arg-type]
    resolved = asyncio.Event()
    result = await schema.execute(
        "{ slow { child { name } } fails }", context_value={CHILD_RESOLVED: resolved}
    )
    assert result.data is None and result.errors is not None
    await asyncio.wait_for(resolved.wait(), timeout=10)


async def test_the_helpers_of_an_ended_operation_say_so() -> None:
    """The helpers hold their executor weakly: a resolve info kept past its operation gets a
    clear error from them, not an AttributeError on None."""
    kept: list[Any] = []

    @strawberry.type
    class KeepingQuery:
        @strawberry.field
        def keep(self, info: strawberry.Info) -> int:
            kept.append(info._raw_info)
            return 1

    schema = strawberry.Schema(query=KeepingQuery, execution_context_class=executor_for_schema())
    assert (await schema.execute("{ keep }")).data == {"keep": 1}
    gc.collect()
    with pytest.raises(RuntimeError, match="has ended"):
        kept[0].async_helpers.track([])
