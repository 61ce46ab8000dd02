"""API keys over HTTP, on both backends: deny by default, scopes, revocation, expiry, and
keys that never reach storage, a log line or a response in plain text."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy import event

from api_server.auth import api_keys
from api_server.auth.authenticator import CACHE_ENTRIES
from api_server.database.connection import borrow_db_session, get_engine
from tests.domains.patients.factories import V1, audit_trail, patient_body
from tests.fixtures.app import serving
from tests.fixtures.auth import bearer, issue_key
from tests.fixtures.database import empty_database
from tests.fixtures.logs import LogCapture
from tests.graphql.client import PATH

READ, WRITE = "patients:read", "patients:write"
CREATE = "mutation($i: PatientCreateInput!) { createPatient(input: $i) { id } }"
GQL_INPUT = {
    "firstName": "Ada",
    "lastName": "Lovelace",
    "dateOfBirth": "1815-12-10",
    "sex": "FEMALE",
}


@pytest.fixture
async def anon(backend_app: FastAPI, backend_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client without credentials on each backend."""
    async with serving(backend_app, raise_app_exceptions=False, scopes=None) as http:
        yield http
    await empty_database(backend_url)


def error_code(response: httpx.Response) -> str:
    """The `code` of a refusal: the problem's, or at /graphql the GraphQL error's."""
    if response.url.path == PATH:
        assert response.headers["content-type"] == "application/json"
        errors = response.json()["errors"]
        assert set(response.json()) == {"errors"}
        return str(errors[0]["extensions"]["code"])
    assert response.headers["content-type"] == "application/problem+json"
    return str(response.json()["code"])


def assert_unauthenticated(response: httpx.Response, *, invalid: bool) -> None:
    assert response.status_code == 401, response.text
    assert error_code(response) == "UNAUTHENTICATED"
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("Bearer ")
    assert ('error="invalid_token"' in challenge) is invalid


async def test_no_credentials_is_401_on_every_protected_surface(anon: httpx.AsyncClient) -> None:
    for method, path, body in (
        ("GET", f"{V1}/patients", None),
        ("GET", f"{V1}/patients/01890000-0000-7000-8000-000000000000", None),
        ("POST", f"{V1}/patients", patient_body()),
        ("DELETE", f"{V1}/addresses/01890000-0000-7000-8000-000000000000", None),
        ("POST", PATH, {"query": "{ __typename }"}),
        ("GET", PATH, None),
        ("GET", "/metrics", None),
        ("POST", "/health-check", None),
    ):
        params = {"query": "{ __typename }"} if method == "GET" and path == PATH else None
        response = await anon.request(method, path, json=body, params=params)
        assert_unauthenticated(response, invalid=False)
    for public in ("/ping", "/", "/version", "/openapi.json", "/health-check"):
        assert (await anon.get(public)).status_code == 200, public


async def test_an_anonymous_request_is_refused_before_its_body_is_read(
    anon: httpx.AsyncClient,
) -> None:
    for content in (b"{not json", b"[" * 5000, rb'{"first_name": "\u0000"}'):
        response = await anon.post(
            f"{V1}/patients", content=content, headers={"Content-Type": "application/json"}
        )
        assert_unauthenticated(response, invalid=False)


@pytest.mark.parametrize(
    "header",
    [
        "Bearer garbage",
        "Bearer apisrv_" + "x" * 43,  # well-formed, unknown
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer a b",
        "Bearer " + "a" * 9000,  # over 8 KiB: refused before parsing
        "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",  # a JWT while JWT is off
    ],
)
async def test_garbage_credentials_are_401_invalid_token(
    anon: httpx.AsyncClient, header: str
) -> None:
    response = await anon.get(f"{V1}/patients", headers={"Authorization": header})
    assert_unauthenticated(response, invalid=True)
    assert header.partition(" ")[2][:20] not in response.text or header == "Bearer"


async def test_a_read_only_key_reads_but_cannot_write(anon: httpx.AsyncClient) -> None:
    reader = bearer(await issue_key(READ))
    assert (await anon.get(f"{V1}/patients", headers=reader)).status_code == 200
    refused = await anon.post(f"{V1}/patients", json=patient_body(), headers=reader)
    assert refused.status_code == 403
    assert refused.json()["code"] == "FORBIDDEN"
    assert refused.json()["required_scope"] == WRITE
    challenge = refused.headers["www-authenticate"]
    assert 'error="insufficient_scope"' in challenge and f'scope="{WRITE}"' in challenge
    body = {"query": CREATE, "variables": {"i": GQL_INPUT}}
    answer = (await anon.post(PATH, json=body, headers=reader)).json()
    assert "data" not in answer  # refused before execution: a request error
    error = answer["errors"][0]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["extensions"]["required_scope"] == WRITE
    assert error["path"] == ["createPatient"]
    listed = await anon.get(f"{V1}/patients", headers=reader)
    assert listed.json()["items"] == []  # neither surface created anything
    query = {"query": "{ patients { nodes { id } } __typename }"}
    assert (await anon.post(PATH, json=query, headers=reader)).json()["data"]["patients"]


async def test_a_write_only_key_cannot_read(anon: httpx.AsyncClient) -> None:
    writer = bearer(await issue_key(WRITE))
    assert (
        await anon.post(f"{V1}/patients", json=patient_body(), headers=writer)
    ).status_code == 201
    assert (await anon.get(f"{V1}/patients", headers=writer)).status_code == 403
    answer = (
        await anon.post(PATH, json={"query": "{ patients { nodes { id } } }"}, headers=writer)
    ).json()
    assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_admin_endpoints_need_the_admin_scope(anon: httpx.AsyncClient) -> None:
    reader, admin = bearer(await issue_key(READ)), bearer(await issue_key("admin"))
    assert (await anon.get("/metrics", headers=reader)).status_code == 403
    assert (await anon.get("/metrics", headers=admin)).status_code == 200
    assert (await anon.get(f"{V1}/patients", headers=admin)).status_code == 403  # admin != read


async def test_a_revoked_key_is_refused_once_the_cache_expires(
    backend_app: FastAPI, backend_url: str
) -> None:
    backend_app.state.authenticator.cache_ttl = 0.2
    async with serving(backend_app, scopes=None) as http:
        key = await issue_key(READ, name="soon-revoked")
        assert (await http.get(f"{V1}/patients", headers=bearer(key))).status_code == 200
        async with borrow_db_session() as session:
            await api_keys.revoke_key(session, name="soon-revoked")
        await asyncio.sleep(0.3)  # another instance's cache, expiring
        refused = await http.get(f"{V1}/patients", headers=bearer(key))
        assert_unauthenticated(refused, invalid=True)
        assert refused.json()["detail"] == "API key revoked"
    await empty_database(backend_url)


async def test_an_expired_key_is_refused_and_never_trusted_past_its_expiry(
    anon: httpx.AsyncClient,
) -> None:
    expired = await issue_key(READ, expires_in=timedelta(seconds=-1))
    refused = await anon.get(f"{V1}/patients", headers=bearer(expired))
    assert refused.json()["detail"] == "API key expired"
    soon = bearer(await issue_key(READ, expires_in=timedelta(seconds=0.3)))
    assert (await anon.get(f"{V1}/patients", headers=soon)).status_code == 200
    await asyncio.sleep(0.4)  # within the 5 s cache TTL, past the key's expiry
    assert (await anon.get(f"{V1}/patients", headers=soon)).status_code == 401


async def test_keys_are_stored_as_digests_and_never_logged(
    anon: httpx.AsyncClient, logs: LogCapture
) -> None:
    key = await issue_key(READ, WRITE, name="digest-check")
    created = await anon.post(f"{V1}/patients", json=patient_body(), headers=bearer(key))
    assert created.status_code == 201
    await anon.get(f"{V1}/patients", headers=bearer(key + "x"))  # a wrong one, refused
    async with borrow_db_session() as session:
        rows = (await session.execute(sa.select(api_keys.API_KEYS))).mappings().all()
    stored = " ".join(str(value) for row in rows for value in row.values())
    assert key not in stored and key[7:] not in stored
    assert [row["key_digest"] for row in rows] == [hashlib.sha256(key.encode()).hexdigest()]
    text = "\n".join(str(line) for line in logs.lines())
    assert key[7:20] not in text
    lines = logs.access_lines()
    assert any(line["principal"] == "key:digest-check" for line in lines), lines


async def test_events_name_the_key_that_made_the_change(
    backend_app: FastAPI, anon: httpx.AsyncClient
) -> None:
    key = await issue_key(WRITE, name="importer")
    created = await anon.post(f"{V1}/patients", json=patient_body(), headers=bearer(key))
    assert created.status_code == 201
    admin = bearer(await issue_key("admin"))
    entries = await audit_trail(anon, headers=admin)
    assert [entry["actor"] for entry in entries] == ["key:importer"]


@contextmanager
def key_lookups() -> Iterator[list[str]]:
    """The SELECTs on `api_keys` run while the block runs."""
    seen: list[str] = []

    def count(_c: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "api_keys" in statement and statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    engine = get_engine().sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def test_a_key_is_looked_up_once_per_cache_period(anon: httpx.AsyncClient) -> None:
    reader = bearer(await issue_key(READ))
    with key_lookups() as seen:
        for _ in range(20):
            assert (await anon.get(f"{V1}/patients", headers=reader)).status_code == 200
    assert len(seen) == 1


async def test_concurrent_requests_with_an_uncached_key_share_one_lookup(
    anon: httpx.AsyncClient,
) -> None:
    """When a verdict expires under load, every request in flight needs the key at once:
    one lookup serves them all, not one each queueing for the database."""
    reader = bearer(await issue_key(READ))
    with key_lookups() as seen:
        responses = await asyncio.gather(
            *(anon.get(f"{V1}/patients", headers=reader) for _ in range(30))
        )
    assert [r.status_code for r in responses] == [200] * 30
    assert len(seen) == 1


async def test_the_openapi_document_declares_the_scheme_and_each_operations_scope(
    anon: httpx.AsyncClient,
) -> None:
    document = (await anon.get("/openapi.json")).json()
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if path == f"{V1}/audit-events":
                assert operation["security"] == [{"bearerAuth": ["admin"]}]
            elif path.startswith(V1):
                expected = READ if method == "get" else WRITE
                assert operation["security"] == [{"bearerAuth": [expected]}], (path, method)
            elif path == "/health-check" and method == "post":
                assert operation["security"] == [{"bearerAuth": ["admin"]}]
            elif path in ("/ping", "/", "/version") or (path, method) == ("/health-check", "get"):
                assert operation["security"] == [], (path, method)  # public, on purpose


async def test_a_flood_of_distinct_tokens_keeps_the_verdict_cache_bounded(
    anon: httpx.AsyncClient, backend_app: FastAPI
) -> None:
    authenticator = backend_app.state.authenticator
    reader = bearer(await issue_key(READ))
    assert (await anon.get(f"{V1}/patients", headers=reader)).status_code == 200
    for n in range(300):  # garbage is refused without being remembered
        await anon.get(f"{V1}/patients", headers=bearer(f"garbage-{n}"))
    assert len(authenticator._verdicts) == 1
    for n in range(CACHE_ENTRIES + 10):  # unknown keys (a lookup each) fill it, then halve it
        authenticator._remember(
            n.to_bytes(8, "big"), authenticator._verdicts[next(iter(authenticator._verdicts))]
        )
    assert len(authenticator._verdicts) <= CACHE_ENTRIES
