"""OAuth 2.0 JWT access tokens (RFC 9068), verified as a resource server: `JwtVerifier`.

The signing keys come from the authorization server's JWKS (`jwt_jwks_url`, auth/jwks.py) or
from one PEM public key (`jwt_public_key`). Only the algorithms of `jwt_algorithms` (asymmetric,
checked by the settings) are accepted, and the token's `alg` is checked against them before
anything else, so `none` and an HS256 token "signed" with the public key never reach a
signature check.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from jwt import PyJWK

from api_server.auth.errors import InvalidTokenError
from api_server.auth.jwks import JwksCache
from api_server.auth.principal import Principal
from api_server.settings import Settings, SettingsError

__all__ = ["JwtVerifier"]

# Far above any real access token; refused before it is decoded.
MAX_TOKEN_LENGTH = 16 * 1024

PublicKey = RSAPublicKey | EllipticCurvePublicKey | Ed25519PublicKey
# The key type each family of `jwt_algorithms` verifies with (by its first two letters).
_KEY_TYPES: dict[str, type[PublicKey]] = {
    "RS": RSAPublicKey,
    "PS": RSAPublicKey,
    "ES": EllipticCurvePublicKey,
    "Ed": Ed25519PublicKey,
}

# PyJWT's errors as reasons a client may read; the first that matches wins (subclasses first).
_REASONS: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (jwt.ExpiredSignatureError, "token expired"),
    (jwt.ImmatureSignatureError, "token not yet valid"),
    (jwt.InvalidAudienceError, "wrong audience"),
    (jwt.InvalidIssuerError, "wrong issuer"),
    (jwt.InvalidSignatureError, "bad signature"),
    (jwt.InvalidAlgorithmError, "unsupported algorithm"),
    (jwt.InvalidKeyError, "unusable signing key"),
    (jwt.InvalidIssuedAtError, "invalid iat claim"),
    (jwt.exceptions.InvalidSubjectError, "invalid sub claim"),
    (jwt.DecodeError, "malformed token"),
)


class JwtVerifier:
    """Verifies JWT access tokens and says who they stand for. Build it with `from_settings`."""

    def __init__(
        self,
        *,
        keys: JwksCache | PublicKey,
        issuer: str,
        audience: str,
        algorithms: Sequence[str],
        leeway: float,
    ) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._algorithms = frozenset(algorithms)
        self._leeway = leeway

    @classmethod
    def from_settings(
        cls, settings: Settings, *, clock: Callable[[], float] = time.monotonic
    ) -> JwtVerifier | None:
        """The verifier the settings describe, or None when JWT is not configured.

        `clock` (monotonic seconds) spaces JWKS refetches; tests pass a fake one.
        """
        issuer, audience = settings.jwt_issuer, settings.jwt_audience
        # The settings refuse a key source without an issuer and an audience.
        if issuer is None or audience is None:
            return None
        keys: JwksCache | PublicKey
        if settings.jwt_jwks_url is not None:
            keys = JwksCache(
                settings.jwt_jwks_url,
                min_refetch_interval=settings.jwt_jwks_min_refetch_interval,
                clock=clock,
            )
        elif settings.jwt_public_key is not None:
            keys = _load_public_key(settings.jwt_public_key)
        else:
            return None
        return cls(
            keys=keys,
            issuer=issuer,
            audience=audience,
            algorithms=settings.jwt_algorithms,
            leeway=settings.jwt_leeway,
        )

    @property
    def jwks(self) -> JwksCache | None:
        """The key cache when the keys come from a JWKS URL (for the readiness check)."""
        return self._keys if isinstance(self._keys, JwksCache) else None

    async def verify(self, token: str) -> Principal:
        """The principal `token` stands for; InvalidTokenError(reason) when it is not valid."""
        if len(token) > MAX_TOKEN_LENGTH:
            raise InvalidTokenError("token too large")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidTokenError("malformed token") from None
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in self._algorithms:
            raise InvalidTokenError("unsupported algorithm")
        key = await self._key(header, alg)
        return _principal(self._decode(token, key, alg))

    async def _key(self, header: dict[str, Any], alg: str) -> PyJWK | PublicKey:
        if not isinstance(self._keys, JwksCache):
            if not isinstance(self._keys, _KEY_TYPES[alg[:2]]):
                raise InvalidTokenError("algorithm does not match the signing key")
            return self._keys
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise InvalidTokenError("token names no signing key")
        return await self._keys.key(kid, alg)

    def _decode(self, token: str, key: PyJWK | PublicKey, alg: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[alg],
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": ["exp", "sub"], "enforce_minimum_key_length": True},
            )
        except jwt.MissingRequiredClaimError as error:
            raise InvalidTokenError(f"token has no {error.claim} claim") from None
        except jwt.PyJWTError as error:
            raise InvalidTokenError(_reason(error)) from None
        return claims


def _load_public_key(pem: str) -> PublicKey:
    key = load_pem_public_key(pem.encode())
    if not isinstance(key, RSAPublicKey | EllipticCurvePublicKey | Ed25519PublicKey):
        # The settings checked it already; this tells the type checker.
        raise SettingsError("invalid settings: jwt_public_key: not an RSA, EC or Ed25519 key")
    return key


def _reason(error: jwt.PyJWTError) -> str:
    for error_type, reason in _REASONS:
        if isinstance(error, error_type):
            return reason
    return "invalid token"


def _principal(claims: dict[str, Any]) -> Principal:
    subject = claims["sub"]  # PyJWT checked it is there and a string
    if not subject:
        raise InvalidTokenError("token has no sub claim")
    client_id = claims.get("client_id", claims.get("azp"))
    if client_id is not None and not isinstance(client_id, str):
        raise InvalidTokenError("invalid client_id claim")
    return Principal(kind="jwt", name=subject, scopes=_scopes(claims), client_id=client_id)


def _scopes(claims: dict[str, Any]) -> frozenset[str]:
    """`scope` (RFC 9068: space-separated), else `scp` (a list, as some servers send it)."""
    scope = claims.get("scope", claims.get("scp"))
    if scope is None:
        return frozenset()
    if isinstance(scope, str):
        return frozenset(scope.split())
    if isinstance(scope, list) and all(isinstance(item, str) for item in scope):
        return frozenset(scope)
    raise InvalidTokenError("invalid scope claim")
