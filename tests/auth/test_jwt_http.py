"""JWT access tokens through the whole server: REST and GraphQL, scopes, the caller named in
events and the access log, a key published after start-up accepted without a restart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from api_server.app import create_app
from tests.auth.jwks_server import JwksServer
from tests.auth.test_jwt import (
    NEW_RSA_KEY,
    RSA_KEY,
    hs256_with_the_public_key,
    jwt_settings,
    rsa_jwk,
    server,  # noqa: F401  # the JWKS fixture
    token,
)
from tests.domains.patients.factories import V1, audit_trail, patient_body
from tests.fixtures.app import serving
from tests.fixtures.auth import bearer
from tests.fixtures.logs import LogCapture

__all__ = ["server"]


@pytest.fixture
async def http(server: JwksServer, sqlite_database_url: str) -> AsyncIterator[httpx.AsyncClient]:  # noqa: F811
    settings = jwt_settings(
        jwt_jwks_url=server.url,
        jwt_jwks_min_refetch_interval=0.01,
        database_url=sqlite_database_url,
    )
    app = create_app(settings)
    async with serving(app, scopes=None) as client:
        client.app = app  # type: ignore[attr-defined]
        yield client


async def test_a_valid_token_reads_and_writes_as_its_scopes_allow(
    http: httpx.AsyncClient, logs: LogCapture
) -> None:
    reader = bearer(token(scope="patients:read", client_id="reporting"))
    assert (await http.get(f"{V1}/patients", headers=reader)).status_code == 200
    refused = await http.post(f"{V1}/patients", json=patient_body(), headers=reader)
    assert (refused.status_code, refused.json()["required_scope"]) == (403, "patients:write")

    writer = bearer(token(scp=["patients:write"], sub="svc-42", client_id="importer"))
    assert (
        await http.post(f"{V1}/patients", json=patient_body(), headers=writer)
    ).status_code == 201
    query = {"query": "{ patients { nodes { id } } }"}
    answer = (await http.post("/graphql", json=query, headers=reader)).json()
    assert len(answer["data"]["patients"]["nodes"]) == 1

    admin = bearer(token(scope="admin"))
    entries = await audit_trail(http, headers=admin)
    assert [entry["actor"] for entry in entries] == ["jwt:svc-42@importer"]
    principals = {line["principal"] for line in logs.access_lines()}
    assert {"jwt:alice@reporting", "jwt:svc-42@importer"} <= principals


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda: token(exp=1), "token expired"),
        (lambda: token(aud="https://other.example"), "wrong audience"),
        (lambda: token(iss="https://evil.example"), "wrong issuer"),
        (lambda: token(drop=["exp"]), "token has no exp claim"),
        (lambda: token(kid="nobody"), "unknown signing key"),
        (hs256_with_the_public_key, "unsupported algorithm"),
    ],
)
async def test_bad_tokens_are_401_with_a_reason(
    http: httpx.AsyncClient, make: object, reason: str
) -> None:
    raw = make()  # type: ignore[operator]
    response = await http.get(f"{V1}/patients", headers=bearer(raw))
    assert response.status_code == 401
    assert response.json()["detail"] == reason
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert raw not in response.text


async def test_a_key_published_after_start_up_is_accepted(
    http: httpx.AsyncClient,
    server: JwksServer,  # noqa: F811
) -> None:
    fresh = bearer(token(NEW_RSA_KEY, kid="rsa-2", scope="patients:read"))
    assert (await http.get(f"{V1}/patients", headers=fresh)).status_code == 401
    server.publish(rsa_jwk(RSA_KEY, "rsa-1"), rsa_jwk(NEW_RSA_KEY, "rsa-2"))
    await asyncio.sleep(0.05)  # past the (test's) minimum interval between fetches
    fresh = bearer(token(NEW_RSA_KEY, kid="rsa-2", scope="patients:read", jti="again"))
    assert (await http.get(f"{V1}/patients", headers=fresh)).status_code == 200
