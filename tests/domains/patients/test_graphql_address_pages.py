"""`Patient.addresses` is a connection: a bounded page, then the next one after its cursor."""

from __future__ import annotations

import httpx

from tests.domains.patients.graphql_documents import create_address, create_patient
from tests.graphql.client import data, gql, only_error

PAGE = """query($id: ID!, $first: Int, $after: String) { patient(id: $id) {
  addresses(first: $first, after: $after) {
    edges { cursor node { city } } nodes { city }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
} }"""


async def _page(api: httpx.AsyncClient, **variables: object) -> dict[str, object]:
    body = await gql(api, PAGE, variables)
    page: dict[str, object] = data(body)["patient"]["addresses"]
    return page


async def test_addresses_come_a_page_at_a_time_oldest_first(api: httpx.AsyncClient) -> None:
    patient = await create_patient(api)
    other = await create_patient(api)
    for city in ("A", "B", "C"):
        await create_address(api, patient["id"], city=city)
    await create_address(api, other["id"], city="elsewhere")

    first = await _page(api, id=patient["id"], first=2)
    assert first["nodes"] == [{"city": "A"}, {"city": "B"}]
    assert [edge["node"] for edge in first["edges"]] == first["nodes"]  # type: ignore[attr-defined]
    cursors = [edge["cursor"] for edge in first["edges"]]  # type: ignore[attr-defined]
    assert first["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": cursors[0],
        "endCursor": cursors[-1],
    }
    rest = await _page(api, id=patient["id"], first=2, after=cursors[-1])
    assert rest["nodes"] == [{"city": "C"}]
    last = rest["edges"][0]["cursor"]  # type: ignore[index]
    assert rest["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,  # asked for with `after`
        "startCursor": last,
        "endCursor": last,
    }
    # The default page holds all three; the other patient's address is not among them.
    assert len((await _page(api, id=patient["id"]))["nodes"]) == 3  # type: ignore[arg-type]


async def test_page_size_and_cursor_are_validated(api: httpx.AsyncClient) -> None:
    patient = await create_patient(api)
    for first in (0, 101):
        body = await gql(api, PAGE, {"id": patient["id"], "first": first})
        error = only_error(body)
        assert error["extensions"]["code"] == "VALIDATION_ERROR"
        assert error["extensions"]["errors"][0]["loc"] == ["first"]
    error = only_error(await gql(api, PAGE, {"id": patient["id"], "after": "bogus"}))
    assert error["extensions"]["errors"][0]["loc"] == ["after"]
