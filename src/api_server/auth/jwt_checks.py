"""Start-up checks of the JWT settings (called by `Settings`' validators): messages name the
rule, never the value."""

from __future__ import annotations

from urllib.parse import urlsplit

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

__all__ = [
    "JWT_ALGORITHMS",
    "asymmetric_algorithms",
    "jwks_over_https",
    "one_key_source_issuer_and_audience",
    "pem_public_key",
]

# Asymmetric only: with HS* the verifier's key is the signing key, and a public key (from the
# JWKS or the PEM) used as an HMAC secret lets anyone sign (RFC 8725 section 2.1).
JWT_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def asymmetric_algorithms(value: list[str]) -> list[str]:
    if not value or not set(value) <= JWT_ALGORITHMS:
        raise ValueError("must list only asymmetric algorithms (RS*, PS*, ES*, EdDSA)")
    return value


def jwks_over_https(value: str | None) -> str | None:
    # Whoever can change the JWKS in transit can sign tokens: plain HTTP only on loopback.
    if value is not None:
        parts = urlsplit(value)
        loopback = parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS
        if not (parts.scheme == "https" and parts.hostname) and not loopback:
            raise ValueError("must be an https:// URL (http:// only on loopback)")
    return value


def pem_public_key(value: str | None) -> str | None:
    if value is not None:
        try:
            key = load_pem_public_key(value.encode())
        except (ValueError, UnsupportedAlgorithm):
            raise ValueError("must be a PEM-encoded public key") from None
        if not isinstance(key, RSAPublicKey | EllipticCurvePublicKey | Ed25519PublicKey):
            raise ValueError("must be an RSA, EC or Ed25519 public key")
    return value


def one_key_source_issuer_and_audience(
    *, jwks_url: str | None, public_key: str | None, issuer: str | None, audience: str | None
) -> None:
    if jwks_url is not None and public_key is not None:
        raise ValueError("set jwt_jwks_url or jwt_public_key, not both")
    if jwks_url is None and public_key is None:
        return
    missing = [
        name
        for name, value in (("jwt_issuer", issuer), ("jwt_audience", audience))
        if value is None
    ]
    if missing:
        raise ValueError(
            f"required when jwt_jwks_url or jwt_public_key is set: {', '.join(missing)}"
        )
