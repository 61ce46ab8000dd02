"""Queries on SQLite and PostgreSQL (the `api` fixture is parametrised over both)."""

from __future__ import annotations

import uuid

import httpx

from tests.domains.patients.graphql_documents import create_address, create_patient
from tests.graphql.client import data, gql, only_error

UNKNOWN = str(uuid.uuid4())


async def test_patient_by_id_has_every_read_field_and_its_relations(api: httpx.AsyncClient) -> None:
    created = await create_patient(
        api,
        addresses=[
            {
                "type": "WORK",
                "street": "1 Rue",
                "city": "Paris",
                "postalCode": "75001",
                "country": "FR",
            }
        ],
    )
    query = """query($id: ID!) { patient(id: $id) {
        id patientId firstName lastName dateOfBirth sex conditions allergies primaryAddressId
        createdAt updatedAt version primaryAddress { city }
        addresses { nodes { city patient { firstName } } }
    } }"""
    patient = data(await gql(api, query, {"id": created["id"]}))["patient"]
    assert patient["id"] == created["id"]
    assert patient["patientId"].startswith("P-")
    assert (patient["firstName"], patient["lastName"]) == ("Ada", "Lovelace")
    assert (patient["dateOfBirth"], patient["sex"]) == ("1815-12-10", "FEMALE")
    assert (patient["conditions"], patient["allergies"]) == (["asthma"], [])
    assert patient["version"] == 1
    assert patient["primaryAddressId"] is None and patient["primaryAddress"] is None
    assert patient["addresses"]["nodes"] == [{"city": "Paris", "patient": {"firstName": "Ada"}}]


async def test_unknown_ids_are_null_without_error(api: httpx.AsyncClient) -> None:
    query = """query($id: ID!) { patient(id: $id) { id } address(id: $id) { id }
               patientByPatientId(patientId: "P-NONE-NONE") { id } }"""
    body = await gql(api, query, {"id": UNKNOWN})
    assert body == {"data": {"patient": None, "address": None, "patientByPatientId": None}}


async def test_a_malformed_id_is_a_validation_error(api: httpx.AsyncClient) -> None:
    body = await gql(api, '{ patient(id: "not-a-uuid") { id } }')
    error = only_error(body)
    assert error["extensions"]["code"] == "VALIDATION_ERROR"
    assert error["extensions"]["errors"][0]["loc"] == ["id"]
    assert body["data"] == {"patient": None}


async def test_patient_by_patient_id(api: httpx.AsyncClient) -> None:
    created = await create_patient(api, patientId="MRN-0042")
    query = '{ patientByPatientId(patientId: "MRN-0042") { id patientId } }'
    found = data(await gql(api, query))["patientByPatientId"]
    assert found == {"id": created["id"], "patientId": "MRN-0042"}


async def test_address_and_its_patient(api: httpx.AsyncClient) -> None:
    patient = await create_patient(api)
    address = await create_address(api, patient["id"], city="Bath")
    query = "query($id: ID!) { address(id: $id) { id city type patientId patient { id } } }"
    found = data(await gql(api, query, {"id": address["id"]}))["address"]
    assert found == {
        "id": address["id"],
        "city": "Bath",
        "type": "HOME",
        "patientId": patient["id"],
        "patient": {"id": patient["id"]},
    }


PAGE = """query($first: Int, $after: String, $lastName: String) {
  patients(first: $first, after: $after, lastName: $lastName) {
    edges { cursor node { id lastName } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


async def test_patients_pages_are_complete_and_disjoint(api: httpx.AsyncClient) -> None:
    ids = [(await create_patient(api, lastName=f"L{i}"))["id"] for i in range(7)]
    seen: list[str] = []
    after = None
    while True:
        page = data(await gql(api, PAGE, {"first": 3, "after": after}))["patients"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        await create_patient(api, lastName="Inserted")
        assert page["pageInfo"]["startCursor"] == page["edges"][0]["cursor"]
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen[:7] == ids
    assert len(seen) == len(set(seen))


async def test_patients_default_page_and_last_name_filter(api: httpx.AsyncClient) -> None:
    for i in range(22):
        await create_patient(api, lastName="Byron" if i % 2 else "Other")
    page = data(await gql(api, PAGE))["patients"]
    assert len(page["edges"]) == 20 and page["pageInfo"]["hasNextPage"] is True
    byrons = data(await gql(api, PAGE, {"lastName": "Byron"}))["patients"]
    assert {edge["node"]["lastName"] for edge in byrons["edges"]} == {"Byron"}
    assert len(byrons["edges"]) == 11 and byrons["pageInfo"]["hasNextPage"] is False


async def test_first_is_capped_at_100_and_bad_cursors_are_rejected(api: httpx.AsyncClient) -> None:
    for variables, argument in (
        ({"first": 101}, "first"),
        ({"first": 0}, "first"),
        ({"after": "garbage"}, "after"),
    ):
        body = await gql(api, PAGE, variables)
        error = only_error(body)
        assert error["extensions"]["code"] == "VALIDATION_ERROR", variables
        assert error["extensions"]["errors"][0]["loc"] == [argument]
        assert body["data"] is None  # patients is non-null: the error nulls the whole data


async def test_an_empty_list_is_an_empty_connection(api: httpx.AsyncClient) -> None:
    page = data(await gql(api, PAGE))["patients"]
    assert page == {
        "edges": [],
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
    }
