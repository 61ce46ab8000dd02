"""The headers a success response carries (`ETag`, `Location`) are the ones its operation
documents, no more and no fewer, on every REST operation of the domain."""

from __future__ import annotations

import httpx

from tests.domains.patients.factories import V1, address_body, patient_body
from tests.openapi_document import assert_documented, operations

DOCUMENTED_HEADERS = ("ETag", "Location")


async def test_success_headers_are_the_documented_ones(api: httpx.AsyncClient) -> None:
    document = (await api.get("/openapi.json")).json()
    seen: set[str] = set()

    async def call(method: str, path: str, **options: object) -> httpx.Response:
        response = await api.request(method, path, **options)  # type: ignore[arg-type]
        assert response.status_code < 300, (method, path, response.text)
        operation = next(op for op in operations(document) if op.matches(method, path))
        assert_documented(operation, response)  # the documented ones are sent ...
        declared = (operation.response(response.status_code) or {}).get("headers", {})
        for name in DOCUMENTED_HEADERS:  # ... and the sent ones documented
            assert (name in response.headers) == (name in declared), (operation, name)
        seen.add(operation.id)
        return response

    patient = (await call("POST", f"{V1}/patients", json=patient_body())).json()
    url = f"{V1}/patients/{patient['id']}"
    await call("GET", url)
    await call("GET", f"{V1}/patients")
    await call("PATCH", url, json={"last_name": "King", "version": 1})
    address = await call("POST", f"{V1}/addresses", json=address_body(patient_id=patient["id"]))
    address_url = f"{V1}/addresses/{address.json()['id']}"
    await call("GET", address_url)
    await call("PATCH", address_url, json={"city": "Paris", "version": 1})
    await call("GET", f"{url}/addresses")
    await call("PUT", f"{url}/primary-address", json={"address_id": address.json()["id"]})
    await call("GET", f"{V1}/audit-events")
    await call("DELETE", address_url)
    await call("DELETE", url)
    rest = {op.id for op in operations(document) if op.path.startswith(V1)}
    assert seen == rest
