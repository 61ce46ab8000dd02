"""/api/v1/patients on SQLite and PostgreSQL: the same tests, parametrised by `api`."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import httpx
import pytest

from tests.domains.patients.factories import (
    V1,
    address_body,
    create_address,
    create_patient,
    patient_body,
)

SECRET = "sk_live_do_not_echo_9f8e7d"


async def test_create_returns_201_location_etag_and_version(api: httpx.AsyncClient) -> None:
    body = patient_body(addresses=[address_body(), address_body(type="work", city="Paris")])
    response = await api.post(f"{V1}/patients", json=body)
    assert response.status_code == 201
    patient = response.json()
    assert response.headers["location"] == f"{V1}/patients/{patient['id']}"
    assert response.headers["etag"] == '"v1"'
    assert patient["version"] == 1
    assert uuid.UUID(patient["id"]).version == 7
    assert patient["patient_id"].startswith("P-")
    assert patient["created_at"] == patient["updated_at"]
    assert dt.datetime.fromisoformat(patient["created_at"]).utcoffset() == dt.timedelta(0)
    addresses = (await api.get(f"{V1}/patients/{patient['id']}/addresses")).json()
    assert [a["city"] for a in addresses["items"]] == ["London", "Paris"]


async def test_read_shows_only_public_fields(api: httpx.AsyncClient) -> None:
    patient = await create_patient(api)
    response = await api.get(f"{V1}/patients/{patient['id']}")
    assert response.status_code == 200
    assert response.json() == patient
    assert set(patient) == {
        "id",
        "patient_id",
        "first_name",
        "last_name",
        "date_of_birth",
        "sex",
        "conditions",
        "allergies",
        "primary_address_id",
        "created_at",
        "updated_at",
        "version",
    }


async def test_given_patient_id_is_kept_and_a_duplicate_is_409(api: httpx.AsyncClient) -> None:
    await create_patient(api, patient_id="MRN-0001")
    response = await api.post(f"{V1}/patients", json=patient_body(patient_id="MRN-0001"))
    assert response.status_code == 409
    assert response.json()["code"] == "CONFLICT"
    assert response.json()["field"] == "patient_id"
    listed = (await api.get(f"{V1}/patients")).json()["items"]
    assert [p["patient_id"] for p in listed] == ["MRN-0001"]


async def test_generated_patient_ids_do_not_collide(api: httpx.AsyncClient) -> None:
    created = [await create_patient(api) for _ in range(30)]
    assert len({p["patient_id"] for p in created}) == 30


async def test_pagination_is_complete_and_disjoint_while_inserting(api: httpx.AsyncClient) -> None:
    existing = {(await create_patient(api, last_name=f"L{i}"))["id"] for i in range(23)}
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params = {"limit": 5} | ({"cursor": cursor} if cursor else {})
        page = (await api.get(f"{V1}/patients", params=params)).json()
        seen += [p["id"] for p in page["items"]]
        await create_patient(api, last_name="Inserted")  # rows arrive between pages
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)), "a row appeared on two pages"
    assert existing <= set(seen), "a row that existed all along was skipped"
    assert seen == sorted(seen, key=lambda i: uuid.UUID(i))


async def test_filter_by_last_name(api: httpx.AsyncClient) -> None:
    await create_patient(api, last_name="Hopper")
    await create_patient(api, last_name="Lovelace")
    await create_patient(api, last_name="Hopper")
    page = (await api.get(f"{V1}/patients", params={"last_name": "Hopper"})).json()
    assert [p["last_name"] for p in page["items"]] == ["Hopper", "Hopper"]
    assert page["next_cursor"] is None


async def test_limit_out_of_range_and_bad_cursor_are_422(api: httpx.AsyncClient) -> None:
    for params in ({"limit": 0}, {"limit": 101}, {"cursor": "not-a-cursor"}):
        response = await api.get(f"{V1}/patients", params=params)
        assert response.status_code == 422, params
        assert response.headers["content-type"] == "application/problem+json"


async def test_patch_bumps_version_and_updated_at(api: httpx.AsyncClient) -> None:
    patient = await create_patient(api)
    await asyncio.sleep(0.002)
    response = await api.patch(
        f"{V1}/patients/{patient['id']}", json={"first_name": "Augusta", "version": 1}
    )
    assert response.status_code == 200
    updated = response.json()
    assert (updated["first_name"], updated["last_name"]) == ("Augusta", "Lovelace")
    assert updated["version"] == 2
    assert response.headers["etag"] == '"v2"'
    assert updated["updated_at"] > patient["updated_at"]
    assert updated["created_at"] == patient["created_at"]


async def test_stale_version_is_409_naming_both(api: httpx.AsyncClient) -> None:
    patient = await create_patient(api)
    url = f"{V1}/patients/{patient['id']}"
    assert (await api.patch(url, json={"last_name": "King", "version": 1})).status_code == 200
    response = await api.patch(url, json={"last_name": "Byron", "version": 1})
    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "VERSION_CONFLICT"
    assert (problem["expected_version"], problem["current_version"]) == (1, 2)
    assert (await api.get(url)).json()["last_name"] == "King"


async def test_if_match_is_checked_first(api: httpx.AsyncClient) -> None:
    patient = await create_patient(api)
    url = f"{V1}/patients/{patient['id']}"
    stale = await api.patch(
        url, json={"last_name": "X", "version": 1}, headers={"If-Match": '"v7"'}
    )
    assert stale.status_code == 412
    assert stale.json()["code"] == "PRECONDITION_FAILED"
    ok = await api.patch(url, json={"last_name": "X", "version": 1}, headers={"If-Match": '"v1"'})
    assert ok.status_code == 200
    gone = await api.delete(url, headers={"If-Match": '"v1"'})
    assert gone.status_code == 412
    assert (await api.get(url)).status_code == 200


async def test_patch_requires_version_and_rejects_nulls_and_unknown_fields(
    api: httpx.AsyncClient,
) -> None:
    patient = await create_patient(api)
    url = f"{V1}/patients/{patient['id']}"
    for body in ({"first_name": "A"}, {"first_name": None, "version": 1}, {"x": 1, "version": 1}):
        response = await api.patch(url, json=body)
        assert response.status_code == 422, body
    assert (await api.get(url)).json()["version"] == 1


async def test_a_null_in_a_patch_is_a_422_naming_the_field(api: httpx.AsyncClient) -> None:
    # The document says these fields are optional but never null: a null is refused where it
    # was sent, so a client knows which field to leave out instead.
    patient = await create_patient(api)
    body = {"first_name": None, "conditions": None, "last_name": "Kept", "version": 1}
    response = await api.patch(f"{V1}/patients/{patient['id']}", json=body)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"loc": ["body", name], "msg": "may be omitted but not null", "type": "null_not_allowed"}
        for name in ("first_name", "conditions")
    ]
    assert response.json()["detail"] == "invalid request: body.first_name, body.conditions"


async def test_delete_cascades_to_addresses(api: httpx.AsyncClient) -> None:
    patient = await create_patient(api)
    address = await create_address(api, patient["id"])
    assert (await api.delete(f"{V1}/patients/{patient['id']}")).status_code == 204
    assert (await api.get(f"{V1}/patients/{patient['id']}")).status_code == 404
    assert (await api.get(f"{V1}/addresses/{address['id']}")).status_code == 404
    assert (await api.delete(f"{V1}/patients/{patient['id']}")).status_code == 404


async def test_unknown_ids_are_404_problems(api: httpx.AsyncClient) -> None:
    missing = uuid.uuid4()
    for method, url in (
        ("GET", f"{V1}/patients/{missing}"),
        ("DELETE", f"{V1}/patients/{missing}"),
        ("GET", f"{V1}/patients/{missing}/addresses"),
    ):
        response = await api.request(method, url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "NOT_FOUND"
    patch = await api.patch(f"{V1}/patients/{missing}", json={"last_name": "X", "version": 1})
    assert patch.status_code == 404
    assert (await api.get(f"{V1}/patients/not-a-uuid")).status_code == 422


async def test_bad_bodies_are_422_with_fields(api: httpx.AsyncClient) -> None:
    cases = [
        (patient_body(sex="robot"), ("body", "sex")),
        (patient_body(date_of_birth="10/12/1815"), ("body", "date_of_birth")),
        (patient_body(first_name=""), ("body", "first_name")),
        (patient_body(unknown="x"), ("body", "unknown")),
        (patient_body(patient_id="has spaces"), ("body", "patient_id")),
        (patient_body(conditions=[" "]), ("body", "conditions", 0)),  # names the entry
    ]
    for body, loc in cases:
        response = await api.post(f"{V1}/patients", json=body)
        assert response.status_code == 422, body
        assert loc in {tuple(e["loc"]) for e in response.json()["errors"]}
    assert (await api.get(f"{V1}/patients")).json()["items"] == []


async def test_the_document_says_a_condition_cannot_be_empty(client: httpx.AsyncClient) -> None:
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    for model in ("PatientCreate", "PatientUpdate"):
        for field in ("conditions", "allergies"):
            assert schemas[model]["properties"][field]["items"]["minLength"] == 1, (model, field)


async def test_422_never_echoes_a_secret_looking_value(api: httpx.AsyncClient) -> None:
    body = patient_body(
        first_name={"token": SECRET}, sex=SECRET, patient_id=f"{SECRET} x", password=SECRET
    )
    response = await api.post(f"{V1}/patients", json=body)
    assert response.status_code == 422
    assert SECRET not in response.text
    locs = {tuple(e["loc"]) for e in response.json()["errors"]}
    assert {("body", "first_name"), ("body", "sex"), ("body", "password")} <= locs


async def test_primary_address_must_belong_to_the_patient(api: httpx.AsyncClient) -> None:
    patient = await create_patient(api)
    other = await create_patient(api)
    mine = await create_address(api, patient["id"])
    theirs = await create_address(api, other["id"])
    url = f"{V1}/patients/{patient['id']}/primary-address"
    assert (await api.put(url, json={"address_id": theirs["id"]})).status_code == 422
    assert (await api.put(url, json={"address_id": str(uuid.uuid4())})).status_code == 404
    response = await api.put(url, json={"address_id": mine["id"]})
    assert response.status_code == 200
    assert response.json()["primary_address_id"] == mine["id"]
    assert response.json()["version"] == 2
    cleared = await api.put(url, json={"address_id": None, "version": 2})
    assert (cleared.status_code, cleared.json()["primary_address_id"]) == (200, None)
    stale = await api.put(url, json={"address_id": mine["id"], "version": 2})
    assert stale.status_code == 409


async def test_deleting_the_primary_address_clears_it_with_a_new_version(
    api: httpx.AsyncClient,
) -> None:
    patient = await create_patient(api)
    address = await create_address(api, patient["id"])
    url = f"{V1}/patients/{patient['id']}"
    await api.put(f"{url}/primary-address", json={"address_id": address["id"]})
    assert (await api.delete(f"{V1}/addresses/{address['id']}")).status_code == 204
    after = (await api.get(url)).json()
    assert (after["primary_address_id"], after["version"]) == (None, 3)


async def test_a_generated_patient_id_that_is_taken_is_drawn_again(
    api: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api_server.domains.patients import service as patient_service

    taken = (await create_patient(api))["patient_id"]
    draws = iter([taken, taken, "P-FREE-0001"])
    monkeypatch.setattr(patient_service, "new_patient_code", lambda: next(draws))
    response = await api.post(f"{V1}/patients", json=patient_body())
    assert response.status_code == 201
    assert response.json()["patient_id"] == "P-FREE-0001"
