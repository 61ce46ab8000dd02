"""/api/v1/addresses on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import httpx

from tests.domains.patients.factories import V1, address_body, create_address, create_patient


async def test_create_read_patch_delete(api: httpx.AsyncClient) -> None:
    patient = await create_patient(api)
    response = await api.post(f"{V1}/addresses", json=address_body(patient_id=patient["id"]))
    assert response.status_code == 201
    address = response.json()
    url = f"{V1}/addresses/{address['id']}"
    assert response.headers["location"] == url
    assert (address["patient_id"], address["version"]) == (patient["id"], 1)

    read = await api.get(url)
    assert (read.json(), read.headers["etag"]) == (address, '"v1"')

    patched = await api.patch(url, json={"city": "Bath", "version": 1})
    assert (patched.status_code, patched.json()["city"], patched.json()["version"]) == (
        200,
        "Bath",
        2,
    )
    stale = await api.patch(url, json={"city": "York", "version": 1})
    assert (stale.status_code, stale.json()["current_version"]) == (409, 2)
    assert (
        await api.patch(url, json={"city": "York", "version": 2}, headers={"If-Match": '"v1"'})
    ).status_code == 412

    assert (await api.delete(url)).status_code == 204
    assert (await api.get(url)).status_code == 404


async def test_address_for_unknown_patient_is_404(api: httpx.AsyncClient) -> None:
    response = await api.post(f"{V1}/addresses", json=address_body(patient_id=str(uuid.uuid4())))
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


async def test_address_bodies_are_validated(api: httpx.AsyncClient) -> None:
    patient = await create_patient(api)
    for body in (
        address_body(patient_id=patient["id"], type="castle"),
        address_body(patient_id=patient["id"], street=""),
        address_body(patient_id=patient["id"], extra="x"),
        address_body(),
    ):
        assert (await api.post(f"{V1}/addresses", json=body)).status_code == 422, body


async def test_patient_addresses_are_paginated(api: httpx.AsyncClient) -> None:
    patient = await create_patient(api)
    ids = [(await create_address(api, patient["id"], street=f"{n} Road"))["id"] for n in range(7)]
    other = await create_patient(api)
    await create_address(api, other["id"])
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = (await api.get(f"{V1}/patients/{patient['id']}/addresses", params=params)).json()
        seen += [a["id"] for a in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == ids
