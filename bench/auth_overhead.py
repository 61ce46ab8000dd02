"""What authentication costs per request, against the same request with it switched off in
the same run.

    .venv/bin/python bench/auth_overhead.py [--requests N] [--rounds R]

Builds the real app on a SQLite file, then times `GET /api/v1/patients/{id}` through the
ASGI app directly (no network, so the difference is not lost in the noise of wrk): with an
API key, with a JWT (RS256, verified against a PEM public key), and with
the same app with the routes rebuilt without their `requires(...)` guard (what the request
costs with no credential to check; the server itself has no such switch). Credentials are
verified once and then cached for `API_SERVER_AUTH_CACHE_TTL`, as in production: the figures are the
steady state. Best of R rounds each, rounds interleaved.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi import FastAPI

from api_server.app import create_app
from api_server.auth import api_keys
from api_server.compat.fastapi import route_options
from api_server.database.connection import borrow_db_session
from api_server.settings import Settings

ISSUER, AUDIENCE = "https://issuer.bench", "https://api.bench"


async def call(app: FastAPI, path: str, headers: list[tuple[bytes, bytes]]) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"bench"), *headers],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def time_requests(
    app: FastAPI, path: str, headers: list[tuple[bytes, bytes]], n: int
) -> float:
    started = time.perf_counter()
    for _ in range(n):
        status = await call(app, path, headers)
        assert status == 200, status
    return (time.perf_counter() - started) / n * 1e6  # µs per request


async def run(requests: int, rounds: int) -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    with tempfile.TemporaryDirectory() as directory:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            database_url=f"sqlite:///{Path(directory) / 'bench.db'}",
            log_level="WARNING",
            access_log=False,
            jwt_public_key=pem.decode(),
            jwt_issuer=ISSUER,
            jwt_audience=AUDIENCE,
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            async with borrow_db_session() as session:
                new = await api_keys.create_key(
                    session,
                    name="bench",
                    scopes=["patients:read", "patients:write"],
                    expires_in=None,
                )
            key = new.key
            now = int(time.time())
            token = jwt.encode(
                {"iss": ISSUER, "aud": AUDIENCE, "sub": "bench", "exp": now + 3600,
                 "scope": "patients:read"},
                private,
                algorithm="RS256",
            )  # fmt: skip
            created = await _create_patient(app, key)
            path = f"/api/v1/patients/{created}"
            with_key = [(b"authorization", f"Bearer {key}".encode())]
            with_jwt = [(b"authorization", f"Bearer {token}".encode())]
            best: dict[str, float] = {}
            guarded = list(app.router.routes)
            unguarded = [_without_authorization(route) for route in guarded]
            for _ in range(rounds):
                for name, headers, routes in (
                    ("no credential checked", with_key, unguarded),  # sent, not read
                    ("API key", with_key, guarded),
                    ("JWT (RS256)", with_jwt, guarded),
                ):
                    app.router.routes[:] = routes
                    await time_requests(app, path, headers, 50)  # warm: caches filled
                    took = await time_requests(app, path, headers, requests)
                    best[name] = min(best.get(name, took), took)
            app.router.routes[:] = guarded
    floor = best["no credential checked"]
    print(f"GET /api/v1/patients/{{id}} in process, SQLite, best of {rounds} x {requests}:")
    for name, took in best.items():
        extra = (
            "" if took is floor else f"  (+{took - floor:.1f} µs, {100 * (took / floor - 1):+.1f}%)"
        )
        print(f"  {name:<22} {took:8.1f} µs/request{extra}")


def _without_authorization(route: Any) -> Any:
    """The route as it would be without the guard `guarded_options()` gave it."""
    base = getattr(route, "unguarded", None)
    if base is None:
        return route
    return base(route.path, route.endpoint, **route_options(route))


async def _create_patient(app: FastAPI, key: str) -> str:
    import httpx

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        body = {
            "first_name": "Bench",
            "last_name": "Auth",
            "date_of_birth": "1980-01-01",
            "sex": "female",
        }
        response = await http.post(
            "/api/v1/patients", json=body, headers={"Authorization": f"Bearer {key}"}
        )
        response.raise_for_status()
        patient_id: str = response.json()["id"]
        return patient_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(run(args.requests, args.rounds))


if __name__ == "__main__":
    main()
