"""JWT access tokens (auth/jwt.py, auth/jwks.py): claims, algorithms, the JWKS on loopback, the
readiness check and the settings. Keys are generated here; time moves by a fake clock."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
import warnings
from collections.abc import AsyncIterator, Iterable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

import api_server.auth.jwks as jwks_module
from api_server.auth.errors import InvalidTokenError
from api_server.auth.jwt import JwtVerifier
from api_server.checks.jwks import JwksCheck
from api_server.checks.pipeline_builders import build_server_pipeline
from api_server.readiness_pipeline import ReadinessStatus
from api_server.services.di import build_registry
from api_server.settings import Settings, SettingsError, load_settings
from tests.auth.jwks_server import JwksServer
from tests.fixtures.logs import LogCapture

ISSUER = "https://issuer.example"
AUDIENCE = "https://api.example"
INTERVAL = 30.0

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
NEW_RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())


def public_pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()


def rsa_jwk(key: rsa.RSAPrivateKey, kid: str, **extra: str) -> dict[str, Any]:
    return {**RSAAlgorithm.to_jwk(key.public_key(), as_dict=True), "kid": kid, **extra}


def ec_jwk(key: ec.EllipticCurvePrivateKey, kid: str) -> dict[str, Any]:
    return {**ECAlgorithm.to_jwk(key.public_key(), as_dict=True), "kid": kid, "alg": "ES256"}


def claims(*, drop: Iterable[str] = (), **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {"iss": ISSUER, "aud": AUDIENCE, "sub": "alice", "iat": now, "exp": now + 300}
    return {name: value for name, value in {**base, **changes}.items() if name not in drop}


def token(key: Any = RSA_KEY, *, kid: str = "rsa-1", alg: str = "RS256", **changes: Any) -> str:
    return jwt.encode(claims(**changes), key, algorithm=alg, headers={"kid": kid})


def segment(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def hs256_with_the_public_key(kid: str = "rsa-1") -> str:
    """The algorithm-confusion attack: HS256 with the RSA public key (PEM) as the HMAC secret.
    Built by hand: PyJWT refuses to sign HS256 with a PEM key."""
    signing_input = f"{segment({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{segment(claims())}"
    mac = hmac.new(public_pem(RSA_KEY).encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def jwt_settings(**values: Any) -> Settings:
    values = {"jwt_issuer": ISSUER, "jwt_audience": AUDIENCE, **values}
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def built(settings: Settings, clock: FakeClock | None = None) -> JwtVerifier:
    verifier = JwtVerifier.from_settings(settings, clock=clock or FakeClock())
    assert verifier is not None
    return verifier


async def refused(verifier: JwtVerifier, token: str) -> str:
    with pytest.raises(InvalidTokenError) as caught:
        await verifier.verify(token)
    return str(caught.value)


@pytest.fixture
async def server() -> AsyncIterator[JwksServer]:
    jwks = JwksServer()
    jwks.publish(rsa_jwk(RSA_KEY, "rsa-1", alg="RS256", use="sig"), ec_jwk(EC_KEY, "ec-1"))
    await jwks.start()
    yield jwks
    if jwks.gate is not None:
        jwks.gate.set()
    await jwks.stop()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def verifier(server: JwksServer, clock: FakeClock) -> JwtVerifier:
    return built(jwt_settings(jwt_jwks_url=server.url), clock)


async def check_result(verifier: JwtVerifier) -> tuple[ReadinessStatus, str, dict[str, Any]]:
    assert verifier.jwks is not None
    result = await JwksCheck(verifier.jwks).run(default_timeout=1.0)
    return result.status, result.message, dict(result.details)


# --- Valid tokens -----------------------------------------------------------------------------


async def test_a_valid_token_names_its_subject_scopes_and_client(verifier: JwtVerifier) -> None:
    principal = await verifier.verify(token(scope="patients:read patients:write", client_id="app"))
    assert (principal.kind, principal.name, principal.client_id) == ("jwt", "alice", "app")
    assert principal.scopes == {"patients:read", "patients:write"}
    assert principal.label == "jwt:alice@app"


async def test_scopes_may_come_as_an_scp_list_and_the_client_from_azp(
    verifier: JwtVerifier,
) -> None:
    principal = await verifier.verify(token(scp=["patients:read", "admin"], azp="spa"))
    assert principal.scopes == {"patients:read", "admin"}
    assert principal.client_id == "spa"


async def test_a_token_without_scopes_has_none(verifier: JwtVerifier) -> None:
    assert (await verifier.verify(token())).scopes == frozenset()


async def test_an_audience_list_that_holds_ours_is_accepted(verifier: JwtVerifier) -> None:
    assert (await verifier.verify(token(aud=["https://other.example", AUDIENCE]))).name == "alice"


async def test_an_es256_token_is_accepted(verifier: JwtVerifier) -> None:
    principal = await verifier.verify(token(EC_KEY, kid="ec-1", alg="ES256"))
    assert principal.name == "alice"


async def test_expiry_within_the_leeway_is_accepted(verifier: JwtVerifier) -> None:
    assert (await verifier.verify(token(exp=int(time.time()) - 5))).name == "alice"


# --- Claims -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"exp": 1_000_000_000}, "token expired"),
        ({"nbf": 4_000_000_000}, "token not yet valid"),
        ({"iat": 4_000_000_000}, "token not yet valid"),
        ({"aud": "https://other-api.example"}, "wrong audience"),
        ({"aud": ["https://a.example", "https://b.example"]}, "wrong audience"),
        ({"iss": "https://evil.example"}, "wrong issuer"),
        ({"drop": ["exp"]}, "token has no exp claim"),
        ({"drop": ["sub"]}, "token has no sub claim"),
        ({"drop": ["aud"]}, "token has no aud claim"),
        ({"drop": ["iss"]}, "token has no iss claim"),
        ({"sub": ""}, "token has no sub claim"),
        ({"sub": 42}, "invalid sub claim"),
        ({"exp": "tomorrow"}, "malformed token"),
        ({"scope": {"admin": True}}, "invalid scope claim"),
        ({"scp": ["admin", 1]}, "invalid scope claim"),
        ({"client_id": ["a", "b"]}, "invalid client_id claim"),
    ],
)
async def test_a_token_with_a_bad_claim_is_refused_with_a_reason_that_holds_no_value(
    verifier: JwtVerifier, changes: dict[str, Any], reason: str
) -> None:
    assert await refused(verifier, token(**changes)) == reason


async def test_a_tampered_payload_fails_the_signature(verifier: JwtVerifier) -> None:
    header, _, signature = token().split(".")
    forged = f"{header}.{segment(claims(sub='admin'))}.{signature}"
    assert await refused(verifier, forged) == "bad signature"


@pytest.mark.parametrize(
    "garbage", ["", "abc", "a.b.c", "\x00.\x00.\x00", "e30.e30.", "W10.e30.x", "x" * 20_000]
)
async def test_garbage_is_refused_before_any_key_is_fetched(
    verifier: JwtVerifier, server: JwksServer, garbage: str
) -> None:
    assert await refused(verifier, garbage) in {
        "malformed token",
        "unsupported algorithm",
        "token too large",
    }
    assert server.requests == 0


# --- Algorithms -------------------------------------------------------------------------------


async def test_alg_none_is_refused_before_any_key_is_fetched(
    verifier: JwtVerifier, server: JwksServer
) -> None:
    unsigned = jwt.encode(claims(), None, algorithm="none", headers={"kid": "rsa-1"})
    assert await refused(verifier, unsigned) == "unsupported algorithm"
    assert server.requests == 0


async def test_hs256_signed_with_the_public_key_is_refused(
    verifier: JwtVerifier, server: JwksServer
) -> None:
    assert await refused(verifier, hs256_with_the_public_key()) == "unsupported algorithm"
    assert server.requests == 0


async def test_an_algorithm_outside_the_settings_is_refused(verifier: JwtVerifier) -> None:
    assert await refused(verifier, token(alg="RS512")) == "unsupported algorithm"


async def test_a_jwks_key_that_names_another_algorithm_is_refused(server: JwksServer) -> None:
    verifier = built(jwt_settings(jwt_jwks_url=server.url, jwt_algorithms=["RS256", "PS256"]))
    assert await refused(verifier, token(alg="PS256")) == "algorithm does not match the signing key"


async def test_a_jwks_key_without_alg_verifies_only_tokens_of_its_type(
    server: JwksServer,
) -> None:
    server.publish(rsa_jwk(RSA_KEY, "rsa-1"))
    verifier = built(jwt_settings(jwt_jwks_url=server.url, jwt_algorithms=["PS256", "ES256"]))
    assert (await verifier.verify(token(alg="PS256"))).name == "alice"
    assert await refused(verifier, token(EC_KEY, alg="ES256")) == "unusable signing key"


async def test_a_weak_rsa_key_in_the_jwks_is_refused(server: JwksServer) -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505  # the point
    server.publish(rsa_jwk(weak, "weak"))
    verifier = built(jwt_settings(jwt_jwks_url=server.url))
    with warnings.catch_warnings():  # PyJWT warns when it signs with a short key
        warnings.simplefilter("ignore")
        weak_token = token(weak, kid="weak")
    assert await refused(verifier, weak_token) == "unusable signing key"


async def test_a_token_that_names_no_key_is_refused(verifier: JwtVerifier) -> None:
    no_kid = jwt.encode(claims(), RSA_KEY, algorithm="RS256")
    assert await refused(verifier, no_kid) == "token names no signing key"


# --- The JWKS ---------------------------------------------------------------------------------


async def test_an_unknown_kid_is_refused(verifier: JwtVerifier) -> None:
    assert await refused(verifier, token(kid="nobody")) == "unknown signing key"


async def test_the_jwks_is_fetched_once_for_many_tokens(
    verifier: JwtVerifier, server: JwksServer
) -> None:
    for _ in range(3):
        await verifier.verify(token())
        await verifier.verify(token(EC_KEY, kid="ec-1", alg="ES256"))
    assert server.requests == 1


async def test_a_newly_published_key_is_accepted_without_a_new_verifier(
    verifier: JwtVerifier, server: JwksServer, clock: FakeClock
) -> None:
    await verifier.verify(token())
    server.publish(rsa_jwk(RSA_KEY, "rsa-1"), rsa_jwk(NEW_RSA_KEY, "rsa-2"))
    clock.advance(INTERVAL)
    assert (await verifier.verify(token(NEW_RSA_KEY, kid="rsa-2"))).name == "alice"
    assert server.requests == 2


async def test_unknown_kids_refetch_at_most_once_per_interval(
    verifier: JwtVerifier, server: JwksServer, clock: FakeClock
) -> None:
    assert await refused(verifier, token(kid="unknown-1")) == "unknown signing key"
    clock.advance(INTERVAL - 1)
    assert await refused(verifier, token(kid="unknown-2")) == "unknown signing key"
    assert server.requests == 1
    clock.advance(1)
    assert await refused(verifier, token(kid="unknown-3")) == "unknown signing key"
    assert server.requests == 2


async def test_concurrent_unknown_kids_share_one_fetch_that_a_leaving_caller_cannot_cancel(
    verifier: JwtVerifier, server: JwksServer
) -> None:
    server.gate = asyncio.Event()
    tokens = [token(kid=f"unknown-{n}") for n in range(20)] + [token() for _ in range(5)]
    calls = [asyncio.create_task(verifier.verify(t)) for t in tokens]
    await server.received.wait()
    calls[0].cancel()  # a client that disconnects while the fetch is under way
    await asyncio.sleep(0)
    server.gate.set()
    outcomes = await asyncio.gather(*calls[1:], return_exceptions=True)
    assert server.requests == 1
    assert [str(o) for o in outcomes[:19]] == ["unknown signing key"] * 19
    assert [getattr(o, "name", o) for o in outcomes[19:]] == ["alice"] * 5


async def test_an_unreachable_jwks_fails_closed_for_unknown_kids_and_keeps_cached_keys(
    verifier: JwtVerifier, server: JwksServer, clock: FakeClock
) -> None:
    await verifier.verify(token())
    await server.stop()
    clock.advance(INTERVAL)
    assert await refused(verifier, token(NEW_RSA_KEY, kid="rsa-2")) == "signing keys unavailable"
    assert (await verifier.verify(token())).name == "alice"
    status, message, details = await check_result(verifier)
    assert status is ReadinessStatus.WARNING
    assert message == "last JWKS fetch failed: request failed (ConnectError); cached keys in use"
    assert details == {"keys": 2}


async def test_a_jwks_never_fetched_refuses_every_token(
    verifier: JwtVerifier, server: JwksServer
) -> None:
    await server.stop()
    assert await refused(verifier, token()) == "signing keys unavailable"
    status, message, _ = await check_result(verifier)
    assert (status, message) == (
        ReadinessStatus.WARNING,
        "JWKS not fetched: request failed (ConnectError)",
    )


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ({"status": 500}, "answered HTTP 500"),
        ({"status": 302, "headers": {"Location": "http://127.0.0.1:1/"}}, "answered HTTP 302"),
        ({"body": b"<html>SECRET-BODY-MARKER</html>"}, "not JSON"),
        ({"body": b'{"keys": "SECRET-BODY-MARKER"}'}, "not a JWK Set"),
        ({"body": b"[" * 100_000 + b"]" * 100_000}, "not JSON"),
        ({"headers": {"Content-Encoding": "gzip"}}, "answered with a compressed body"),
        ({"body": b'{"keys": []}' + b" " * 300_000}, "larger than 262144 bytes"),
        ({"body": b" " * 300_000, "send_length": False}, "larger than 262144 bytes"),
        (
            {"body": json.dumps({"keys": [{"kid": str(n)} for n in range(101)]}).encode()},
            "more than 100 keys",
        ),
    ],
)
async def test_a_bad_jwks_answer_is_refused_without_logging_its_body(
    verifier: JwtVerifier,
    server: JwksServer,
    logs: LogCapture,
    answer: dict[str, Any],
    error: str,
) -> None:
    for name, value in answer.items():
        setattr(server, name, value)
    assert await refused(verifier, token()) == "signing keys unavailable"
    status, message, _ = await check_result(verifier)
    assert (status, message) == (ReadinessStatus.WARNING, f"JWKS not fetched: {error}")
    assert [line["message"] for line in logs.lines()] == [f"JWKS fetch failed: {error}"]
    assert "SECRET-BODY-MARKER" not in logs.stream.getvalue()


async def test_a_jwks_that_never_answers_is_abandoned(
    verifier: JwtVerifier, server: JwksServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jwks_module, "FETCH_TIMEOUT", 0.05)
    server.gate = asyncio.Event()  # never set while the fetch waits
    assert await refused(verifier, token()) == "signing keys unavailable"
    assert verifier.jwks is not None and verifier.jwks.state.error == "no answer within 0.05 s"


async def test_encryption_keys_and_keys_without_kid_are_left_out(
    verifier: JwtVerifier, server: JwksServer
) -> None:
    server.publish(
        rsa_jwk(RSA_KEY, "rsa-1"), rsa_jwk(NEW_RSA_KEY, "enc-1", use="enc"), {"kty": "RSA"}
    )
    assert (await verifier.verify(token())).name == "alice"
    assert await refused(verifier, token(NEW_RSA_KEY, kid="enc-1")) == "unknown signing key"
    assert verifier.jwks is not None and verifier.jwks.state.key_count == 1


# --- The readiness check ----------------------------------------------------------------------


async def test_the_check_fetches_the_jwks_before_any_token_and_counts_its_keys(
    verifier: JwtVerifier, server: JwksServer
) -> None:
    assert await check_result(verifier) == (ReadinessStatus.SUCCESS, "2 signing keys", {"keys": 2})
    assert server.requests == 1  # warmed by the check: the first token waits for nothing
    assert await check_result(verifier) == (ReadinessStatus.SUCCESS, "2 signing keys", {"keys": 2})
    await verifier.verify(token())
    assert server.requests == 1  # fetched once


def test_the_server_pipeline_has_the_check_only_with_a_jwks_url() -> None:
    def stages(settings: Settings) -> list[str]:
        registry = build_registry(settings)
        verifier = registry.get(JwtVerifier) if registry.has(JwtVerifier) else None
        return [
            stage.name for stage in build_server_pipeline(settings, jwt_verifier=verifier).stages
        ]

    url = "https://issuer.example/jwks.json"
    assert stages(jwt_settings(jwt_jwks_url=url)) == ["configuration", "authentication", "database"]
    assert stages(jwt_settings(jwt_public_key=public_pem(RSA_KEY))) == ["configuration", "database"]
    assert stages(Settings(_env_file=None)) == ["configuration", "database"]  # type: ignore[call-arg]


# --- A PEM public key instead of a JWKS -------------------------------------------------------


async def test_a_pem_public_key_verifies_tokens_whatever_their_kid() -> None:
    verifier = built(jwt_settings(jwt_public_key=public_pem(RSA_KEY)))
    assert verifier.jwks is None
    principal = await verifier.verify(token(kid="anything", scope="admin"))
    assert (principal.name, principal.scopes) == ("alice", {"admin"})
    assert await refused(verifier, token(NEW_RSA_KEY)) == "bad signature"


async def test_a_pem_key_refuses_tokens_of_another_key_type_and_hs256() -> None:
    verifier = built(jwt_settings(jwt_public_key=public_pem(RSA_KEY)))
    es256 = token(EC_KEY, alg="ES256")
    assert await refused(verifier, es256) == "algorithm does not match the signing key"
    assert await refused(verifier, hs256_with_the_public_key()) == "unsupported algorithm"


async def test_an_ec_pem_key_verifies_es256() -> None:
    verifier = built(jwt_settings(jwt_public_key=public_pem(EC_KEY)))
    assert (await verifier.verify(token(EC_KEY, alg="ES256"))).name == "alice"


# --- Settings ---------------------------------------------------------------------------------


def test_jwt_is_off_without_a_key_source() -> None:
    assert JwtVerifier.from_settings(Settings(_env_file=None)) is None  # type: ignore[call-arg]
    assert JwtVerifier.from_settings(jwt_settings()) is None


def test_algorithms_and_the_pem_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_SERVER_JWT_PUBLIC_KEY", public_pem(EC_KEY))
    monkeypatch.setenv("API_SERVER_JWT_ISSUER", ISSUER)
    monkeypatch.setenv("API_SERVER_JWT_AUDIENCE", AUDIENCE)
    monkeypatch.setenv("API_SERVER_JWT_ALGORITHMS", "ES256, ES384")
    settings = load_settings(_env_file=None)
    assert settings.jwt_algorithms == ["ES256", "ES384"]
    assert JwtVerifier.from_settings(settings) is not None


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"jwt_algorithms": "RS256,HS256"}, "jwt_algorithms"),
        ({"jwt_algorithms": "none"}, "jwt_algorithms"),
        ({"jwt_algorithms": ""}, "jwt_algorithms"),
        ({"jwt_jwks_url": "https://idp.example/jwks", "jwt_audience": None}, "jwt_audience"),
        ({"jwt_public_key": "PEM", "jwt_issuer": None}, "jwt_issuer"),
        ({"jwt_jwks_url": "https://idp.example/jwks", "jwt_public_key": "PEM"}, "not both"),
        ({"jwt_jwks_url": "http://idp.example/jwks"}, "jwt_jwks_url"),
        ({"jwt_jwks_url": "ftp://idp.example/jwks"}, "jwt_jwks_url"),
        (
            {"jwt_public_key": "-----BEGIN PUBLIC KEY-----\nSECRET\n-----END PUBLIC KEY-----"},
            "jwt_public_key",
        ),
        ({"jwt_leeway": -1}, "jwt_leeway"),
        ({"jwt_jwks_min_refetch_interval": 0}, "jwt_jwks_min_refetch_interval"),
    ],
)
def test_unsafe_jwt_settings_stop_start_up_naming_the_field(
    values: dict[str, Any], field: str
) -> None:
    values = {"jwt_issuer": ISSUER, "jwt_audience": AUDIENCE, **values}
    values = {name: value for name, value in values.items() if value is not None}
    if values.get("jwt_public_key") == "PEM":
        values["jwt_public_key"] = public_pem(RSA_KEY)
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None, **values)
    assert field in str(caught.value)
    assert "SECRET" not in str(caught.value) and "idp.example" not in str(caught.value)


def test_an_empty_jwks_url_means_jwt_is_off() -> None:
    assert load_settings(_env_file=None, jwt_jwks_url=" ").jwt_jwks_url is None
