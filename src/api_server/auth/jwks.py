"""The authorization server's signing keys: a JWK Set fetched over HTTPS and cached by `kid`.

Fetched on first need; a `kid` not in the cache fetches again, at most once per
`min_refetch_interval` (concurrent callers share one fetch), so a key the authorization server
publishes is accepted without a restart while unknown `kid`s cannot flood it. A failed fetch
keeps the cached keys.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from jwt import PyJWK, PyJWTError
from loguru import logger

from api_server.auth.errors import InvalidTokenError

__all__ = ["JwksCache", "JwksState"]

FETCH_TIMEOUT = 5.0
MAX_JWKS_BYTES = 256 * 1024
MAX_JWKS_KEYS = 100

JwkDict = dict[str, Any]


@dataclass(frozen=True, slots=True)
class JwksState:
    """What a readiness check reports: `error` is why the last fetch failed (None after a
    success, or before the first fetch)."""

    fetched: bool
    key_count: int
    error: str | None


class _FetchError(Exception):
    """Why a fetch failed, in words safe to show (never the response body)."""


class JwksCache:
    """The JWK Set at `url`; `key(kid, alg)` returns the key that verifies a token."""

    def __init__(
        self,
        url: str,
        *,
        min_refetch_interval: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = url
        self._min_refetch_interval = min_refetch_interval
        self._clock = clock
        self._jwks: dict[str, JwkDict] = {}
        self._parsed: dict[tuple[str, str], PyJWK] = {}
        self._fetched = False
        self._error: str | None = None
        self._last_attempt: float | None = None
        self._fetching: asyncio.Task[None] | None = None

    @property
    def state(self) -> JwksState:
        return JwksState(fetched=self._fetched, key_count=len(self._jwks), error=self._error)

    async def key(self, kid: str, alg: str) -> PyJWK:
        """The key `kid`, bound to `alg` (the token's, already checked against the settings).

        Raises InvalidTokenError when the key is unknown, unavailable or not for `alg`.
        """
        if kid not in self._jwks:
            await self._refresh()
        jwk = self._jwks.get(kid)
        if jwk is None:
            if self._error is not None:
                raise InvalidTokenError("signing keys unavailable")
            raise InvalidTokenError("unknown signing key")
        # A key that names its algorithm verifies that one only (RFC 7517 section 4.4).
        if jwk.get("alg", alg) != alg:
            raise InvalidTokenError("algorithm does not match the signing key")
        parsed = self._parsed.get((kid, alg))
        if parsed is None:
            try:
                parsed = PyJWK(jwk, algorithm=alg)
            except (PyJWTError, ValueError, TypeError, KeyError):
                raise InvalidTokenError("unusable signing key") from None
            self._parsed[(kid, alg)] = parsed
        return parsed

    async def refresh_if_needed(self) -> None:
        """Fetch when nothing was fetched yet or the last fetch failed (within the same
        minimum interval as fetches for unknown kids): the readiness check warms the cache at
        start-up and retries an unreachable JWKS without waiting for a token."""
        if not self._fetched or self._error is not None:
            await self._refresh()

    async def _refresh(self) -> None:
        """Join the fetch under way, or start one unless the last began too recently."""
        if self._fetching is None:
            now = self._clock()
            last = self._last_attempt
            if last is not None and now - last < self._min_refetch_interval:
                return
            self._last_attempt = now
            self._fetching = asyncio.create_task(self._fetch_and_store())
        # shield: a caller that goes away (its client disconnected) must not cancel the fetch
        # the other callers wait for.
        await asyncio.shield(self._fetching)

    async def _fetch_and_store(self) -> None:
        try:
            jwks = _parse(await self._download())
        except _FetchError as error:
            self._error = str(error)
            logger.warning("JWKS fetch failed: {}", error)
        else:
            self._jwks, self._parsed = jwks, {}
            self._fetched, self._error = True, None
            logger.info("JWKS fetched: {} signing keys", len(jwks))
        finally:
            self._fetching = None

    async def _download(self) -> bytes:
        try:
            # A total deadline: httpx's timeouts are per read, and a server may drip.
            async with asyncio.timeout(FETCH_TIMEOUT):
                return await self._read_capped()
        except TimeoutError:
            raise _FetchError(f"no answer within {FETCH_TIMEOUT:g} s") from None
        except httpx.HTTPError as error:
            raise _FetchError(f"request failed ({type(error).__name__})") from None

    async def _read_capped(self) -> bytes:
        # identity: a compressed answer could expand far beyond the cap in a single chunk.
        headers = {"Accept": "application/json", "Accept-Encoding": "identity"}
        async with (
            httpx.AsyncClient(timeout=FETCH_TIMEOUT) as client,
            client.stream("GET", self._url, headers=headers) as response,
        ):
            if response.status_code != 200:
                raise _FetchError(f"answered HTTP {response.status_code}")
            if response.headers.get("content-encoding", "identity") != "identity":
                raise _FetchError("answered with a compressed body")
            length = response.headers.get("content-length", "")
            if length.isdigit() and int(length) > MAX_JWKS_BYTES:
                raise _FetchError(f"larger than {MAX_JWKS_BYTES} bytes")
            body = bytearray()
            async for chunk in response.aiter_raw():
                body += chunk
                if len(body) > MAX_JWKS_BYTES:
                    raise _FetchError(f"larger than {MAX_JWKS_BYTES} bytes")
            return bytes(body)


def _parse(body: bytes) -> dict[str, JwkDict]:
    """The signing keys of a JWK Set by `kid`; keys without a `kid` or for encryption are
    left out (a token names its key)."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        raise _FetchError("not JSON") from None
    keys = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(keys, list):
        raise _FetchError("not a JWK Set")
    if len(keys) > MAX_JWKS_KEYS:
        raise _FetchError(f"more than {MAX_JWKS_KEYS} keys")
    return {
        key["kid"]: key
        for key in keys
        if isinstance(key, dict)
        and isinstance(key.get("kid"), str)
        and key.get("use", "sig") == "sig"
    }
