"""The fast path (`graphql/fast_path.py`): a document the server accepted before runs without
Strawberry's per-request machinery, and its answers are the ones Strawberry's path gives.

Each case sends a request twice: the first time Strawberry's path runs it (and remembers
the document), the second time the fast path does (checked with a spy, not assumed). Both
answers must be equal (status, media type, body with the ids it created set aside) and the
database must show what each says it did.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from graphql import parse

from api_server.graphql.cost import PriceList
from api_server.graphql.fast_path import FastPath
from api_server.graphql.prepared_documents import PreparedDocuments
from tests.api.test_database_outage import outage, unreachable_url  # noqa: F401 (fixtures)
from tests.auth.test_jwt import token
from tests.domains.patients.graphql_documents import (
    CREATE_PATIENT,
    UPDATE_PATIENT,
    create_patient,
    patient_input,
)
from tests.fixtures.app import serving
from tests.fixtures.auth import bearer, issue_key
from tests.graphql.client import PATH

Answer = tuple[int, str, dict[str, Any]]


@pytest.fixture
def fast_runs(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """One entry per request the fast path was asked: True when it answered."""
    runs: list[bool] = []
    original = FastPath.run

    async def spy(self: FastPath, *args: Any) -> Any:
        result = await original(self, *args)
        runs.append(result is not None)
        return result

    monkeypatch.setattr(FastPath, "run", spy)
    return runs


async def post(api: httpx.AsyncClient, body: dict[str, Any], **headers: str) -> Answer:
    """Status, media type and body; each request's own `request_id` set aside."""
    response = await api.post(PATH, json=body, headers=headers)
    answer = response.status_code, response.headers["content-type"], response.json()
    return without(answer, "request_id")


async def twice(
    api: httpx.AsyncClient,
    fast_runs: list[bool],
    body: dict[str, Any],
    *,
    fast: bool = True,
    **headers: str,
) -> tuple[Answer, Answer]:
    """The answers of Strawberry's path, then of the fast path (`fast`: it must answer)."""
    first = await post(api, body, **headers)
    assert fast_runs[-1:] in ([], [False]), "the first time is Strawberry's"
    second = await post(api, body, **headers)
    assert fast_runs[-1] is fast, fast_runs
    return first, second


def without(answer: Answer, *names: str) -> Answer:
    """`answer` with the values of the fields `names` (anywhere in the body) replaced."""

    def scrub(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: "<set aside>" if k in names else scrub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [scrub(v) for v in value]
        return value

    status, media_type, body = answer
    return status, media_type, scrub(body)


QUERY = """query Read($id: ID!, $first: Int = 2) {
  patient(id: $id) { ...Names born: dateOfBirth addresses(first: $first) {
    nodes { city patient { id } } pageInfo { hasNextPage endCursor } } }
}
fragment Names on Patient { id firstName lastName }"""


async def count_patients(api: httpx.AsyncClient) -> int:
    response = await api.get("/api/v1/patients", params={"limit": 100})
    return len(response.json()["items"])


async def test_a_query_answers_the_same_on_the_fast_path(
    api: httpx.AsyncClient, fast_runs: list[bool]
) -> None:
    patient = await create_patient(api, addresses=[{"type": "HOME", "street": "1 A St",
        "city": "Leeds", "postalCode": "LS1 1AA", "country": "GB"}] * 3)  # fmt: skip
    body = {"query": QUERY, "variables": {"id": patient["id"]}, "operationName": "Read"}
    first, second = await twice(api, fast_runs, body)
    assert first == second
    assert first[2]["data"]["patient"]["addresses"]["pageInfo"]["hasNextPage"] is True
    # Another caller, other variables: still the fast path, its own answer.
    other = await post(api, {**body, "variables": {"id": patient["id"], "first": 5}})
    assert fast_runs[-1] is True
    assert len(other[2]["data"]["patient"]["addresses"]["nodes"]) == 3


async def test_a_mutation_commits_on_the_fast_path(
    api: httpx.AsyncClient, fast_runs: list[bool]
) -> None:
    body = {"query": CREATE_PATIENT, "variables": {"input": patient_input()}}
    first, second = await twice(api, fast_runs, body)
    assert without(first, "id", "patientId", "createdAt", "updatedAt") == without(
        second, "id", "patientId", "createdAt", "updatedAt"
    )
    assert first[2]["data"]["createPatient"]["id"] != second[2]["data"]["createPatient"]["id"]
    assert await count_patients(api) == 2


async def test_a_failed_mutation_keeps_nothing_on_the_fast_path(
    api: httpx.AsyncClient, fast_runs: list[bool]
) -> None:
    """Two fields, the second fails (a stale version): the first's change is rolled back."""
    patient = await create_patient(api)
    both = (
        "mutation($id: ID!, $a: PatientUpdateInput!, $b: PatientUpdateInput!) {"
        " a: updatePatient(id: $id, input: $a) { version }"
        " b: updatePatient(id: $id, input: $b) { version } }"
    )
    variables = {
        "id": patient["id"],
        "a": {"firstName": "Changed", "version": 1},
        "b": {"lastName": "Stale", "version": 1},  # version 2 after a
    }
    first, second = await twice(api, fast_runs, {"query": both, "variables": variables})
    assert first == second
    assert first[2]["data"] is None
    assert [e["extensions"]["code"] for e in first[2]["errors"]] == ["VERSION_CONFLICT"]
    kept = await api.get(f"/api/v1/patients/{patient['id']}")
    assert (kept.json()["first_name"], kept.json()["version"]) == ("Ada", 1)


# A one-field read of plain leaves: the fast path plans it (`graphql/one_field_reads.py`).
ONE_FIELD = "query Read($id: ID!) { patient(id: $id) { id firstName } }"


@pytest.mark.parametrize(
    ("document", "bad_variables"),
    [
        (QUERY, ({"first": "many"}, {"id": None}, {})),
        (ONE_FIELD, ({"id": 12.5}, {"id": None}, {}, {"id": [1]})),
    ],
    ids=["general", "one field"],
)
@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json"])
async def test_variables_that_cannot_be_coerced_answer_the_same(
    api: httpx.AsyncClient,
    fast_runs: list[bool],
    document: str,
    bad_variables: tuple[dict[str, Any], ...],
    accept: str,
) -> None:
    patient = await create_patient(api)
    good = {"query": document, "variables": {"id": patient["id"]}, "operationName": "Read"}
    assert (await post(api, good))[0] == 200  # remembered
    for spaces, bad in enumerate(bad_variables, start=1):
        variables = {"id": patient["id"], **bad} if "first" in bad else bad
        # The same document, another text: new to the server, so Strawberry's path runs it.
        strawberry = await post(
            api, {**good, "query": document + " " * spaces, "variables": variables}, Accept=accept
        )
        fast = await post(api, {**good, "variables": variables}, Accept=accept)
        assert fast_runs[-1] is True
        assert fast == strawberry
        assert fast[2].keys() == {"errors"}  # a request error: nothing ran, no data


async def test_a_caller_without_the_scope_is_refused_by_strawberrys_path(
    api: httpx.AsyncClient, fast_runs: list[bool]
) -> None:
    body = {"query": CREATE_PATIENT, "variables": {"input": patient_input()}}
    assert (await post(api, body))[0] == 200  # remembered, for a caller with every scope
    reader = bearer(await issue_key("patients:read"))
    refused = await post(api, body, **reader)
    assert fast_runs[-1] is False  # the fast path handed it over
    assert "data" not in refused[2]  # refused before execution: a request error
    assert refused[2]["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await count_patients(api) == 1


async def test_a_page_size_over_the_cost_is_refused_by_strawberrys_path(
    app_client: Callable[..., Any], fast_runs: list[bool]
) -> None:
    query = "query($first: Int!) { patients(first: $first) { nodes { id firstName } } }"
    async with app_client(graphql_max_cost=60) as api:
        assert (await post(api, {"query": query, "variables": {"first": 5}}))[0] == 200
        refused = await post(api, {"query": query, "variables": {"first": 50}})
        assert fast_runs[-1] is False
        assert refused[2]["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_the_operation_is_selected_by_name_on_the_fast_path(
    api: httpx.AsyncClient, fast_runs: list[bool]
) -> None:
    document = (
        "query Count { patients(first: 1) { nodes { id } } }"
        " mutation Make($input: PatientCreateInput!) { createPatient(input: $input) { id } }"
    )
    assert (await post(api, {"query": document, "operationName": "Count"}))[0] == 200
    made = await post(
        api,
        {"query": document, "operationName": "Make", "variables": {"input": patient_input()}},
    )
    assert fast_runs[-1] is True and made[2]["data"]["createPatient"]["id"]
    nameless = await post(api, {"query": document})
    assert fast_runs[-1] is False
    assert nameless[2]["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert await count_patients(api) == 1


async def test_the_graphql_response_media_type_is_kept_on_the_fast_path(
    api: httpx.AsyncClient, fast_runs: list[bool]
) -> None:
    patient = await create_patient(api)
    body = {"query": UPDATE_PATIENT, "variables": {"id": patient["id"], "input": {"version": 9}}}
    accept = {"accept": "application/graphql-response+json"}
    first, second = await twice(api, fast_runs, body, **accept)
    assert first == second
    assert first[1].startswith("application/graphql-response+json")
    assert first[2]["errors"][0]["extensions"]["code"] == "VERSION_CONFLICT"


async def test_an_outage_answers_the_same_on_the_fast_path(
    outage: tuple[FastAPI, httpx.AsyncClient],  # noqa: F811 (a fixture)
    fast_runs: list[bool],
) -> None:
    _, api = outage
    jwt = {"authorization": f"Bearer {token(scope='patients:read')}"}
    body = {"query": "{ patients(first: 1) { nodes { id } } }"}
    first, second = await twice(api, fast_runs, body, **jwt)
    assert first == second
    assert first[2]["errors"][0]["extensions"]["code"] == "DATABASE_UNAVAILABLE"
    assert first[2].get("data") is None


async def test_ever_new_documents_keep_the_cache_bounded(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    caches: set[PreparedDocuments] = set()
    remember = PreparedDocuments.remember

    def spy(self: PreparedDocuments, query: str, document: Any) -> None:
        caches.add(self)
        remember(self, query, document)

    monkeypatch.setattr(PreparedDocuments, "remember", spy)
    async with serving(app) as api:
        for n in range(300):
            query = f"{{ n{n}: patients {{ nodes {{ id }} }} }}"
            assert (await api.post(PATH, json={"query": query})).status_code == 200
    (prepared,) = caches
    assert len(prepared) == prepared.maxsize == 256


def kept(prepared: PreparedDocuments, query: str) -> PriceList | None:
    found = prepared.prepared(query)
    return found.prices if found is not None else None


def test_the_least_recently_used_document_goes_first() -> None:
    prepared = PreparedDocuments(maxsize=2)
    a, b, c = (PriceList(parse(text)) for text in ("{ a }", "{ b }", "{ c }"))
    prepared.remember("a", a)
    prepared.remember("b", b)
    assert kept(prepared, "a") is a  # a is now the most recent
    prepared.remember("c", c)
    assert (kept(prepared, "a"), kept(prepared, "b")) == (a, None)
    assert kept(prepared, "c") is c
    with pytest.raises(ValueError):
        PreparedDocuments(maxsize=0)
