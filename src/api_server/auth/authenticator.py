"""From an `Authorization` header to a `Principal`, with verified credentials cached briefly.

A credential is verified once per `auth_cache_ttl` seconds per instance (a database lookup
for a key, a signature check for a JWT); in between, requests cost a SHA-256 and a dict
lookup. So a revoked key is refused on every instance within that TTL, and a request in
steady state makes no database round trip. Refusals are cached the same way, so a client
repeating a bad key cannot make every request a lookup; the cache is bounded.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from loguru import logger

from api_server.auth import api_keys
from api_server.auth.errors import InvalidTokenError, UnauthenticatedError
from api_server.auth.principal import Principal
from api_server.database.connection import borrow_db_read_connection, borrow_db_session
from api_server.models.types import utcnow

__all__ = ["MAX_TOKEN_BYTES", "Authenticator", "TokenVerifier"]

MAX_TOKEN_BYTES = 8 * 1024
CACHE_ENTRIES = 10_000
LAST_USED_EVERY = timedelta(minutes=1)  # `last used` is kept to the minute, not per request
MISSING = "missing credentials: send Authorization: Bearer <token>"


class TokenVerifier(Protocol):
    async def verify(self, token: str) -> Principal: ...


@dataclass(frozen=True, slots=True)
class _Verdict:
    until: float  # monotonic
    principal: Principal | None
    reason: str = ""
    costly: bool = True  # reached by a database lookup or a signature check


class Authenticator:
    def __init__(self, *, cache_ttl: float, jwt: TokenVerifier | None = None) -> None:
        self.cache_ttl = cache_ttl
        self.jwt = jwt
        self._verdicts: dict[bytes, _Verdict] = {}
        # Verifications under way, by credential: concurrent requests with the same
        # credential share one (when a cached verdict expires under load, every request in
        # flight would otherwise look the key up at once and queue for the database).
        self._pending: dict[bytes, asyncio.Future[_Verdict]] = {}
        self._marking: set[asyncio.Task[None]] = set()

    async def authenticate(self, authorization: str | None) -> Principal:
        """The principal of an `Authorization` header, or UnauthenticatedError (401)."""
        if authorization is None:
            raise UnauthenticatedError(MISSING, invalid=False)
        if len(authorization) > MAX_TOKEN_BYTES:
            raise UnauthenticatedError("credential too large", invalid=True)
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or " " in token:
            raise UnauthenticatedError(
                "malformed Authorization header: expected 'Bearer <token>'", invalid=True
            )
        key = hashlib.sha256(token.encode("utf-8", "surrogateescape")).digest()
        verdict = self._verdicts.get(key)
        now = time.monotonic()
        if verdict is None or verdict.until <= now:
            verdict = await self._verify_once(key, token, now)
            if verdict.principal is not None or verdict.costly:
                self._remember(key, verdict)  # a refusal is kept only if it took I/O or crypto
        if verdict.principal is None:
            raise UnauthenticatedError(verdict.reason, invalid=True)
        return verdict.principal

    async def _verify_once(self, key: bytes, token: str, now: float) -> _Verdict:
        """`_verify(token)`, one at a time per credential: latecomers await the same one (a
        caller that goes away does not cancel it for the others)."""
        pending = self._pending.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._verify(token, now))
            self._pending[key] = pending
            pending.add_done_callback(lambda _: self._pending.pop(key, None))
        return await asyncio.shield(pending)

    async def _verify(self, token: str, now: float) -> _Verdict:
        try:
            if api_keys.looks_like_key(token):
                principal, until = await self._verify_key(token, now)
                return _Verdict(until, principal)
            if self.jwt is not None and token.count(".") == 2:
                return _Verdict(now + self.cache_ttl, await self.jwt.verify(token))
            return _Verdict(now, None, "not a credential this server issues or accepts", False)
        except InvalidTokenError as error:
            return _Verdict(now + self.cache_ttl, None, str(error))

    async def _verify_key(self, key: str, now: float) -> tuple[Principal, float]:
        async with borrow_db_read_connection() as connection:
            record = await api_keys.find_key(connection, api_keys.digest(key))
        at = utcnow()
        if record is None:
            raise InvalidTokenError("unknown API key")
        if record.revoked_at is not None:
            raise InvalidTokenError("API key revoked")
        if record.expires_at is not None and record.expires_at <= at:
            raise InvalidTokenError("API key expired")
        until = now + self.cache_ttl
        if record.expires_at is not None:  # never trusted past its expiry
            until = min(until, now + (record.expires_at - at).total_seconds())
        if record.last_used_at is None or at - record.last_used_at >= LAST_USED_EVERY:
            self._mark_used(record.id, at)
        return Principal(kind="api_key", name=record.name, scopes=frozenset(record.scopes)), until

    def _remember(self, key: bytes, verdict: _Verdict) -> None:
        if len(self._verdicts) >= CACHE_ENTRIES:
            # Full (a flood of distinct tokens): forget the older half at once, so the cost is
            # paid once per CACHE_ENTRIES / 2 new tokens, not on every one.
            keep = list(self._verdicts.items())[CACHE_ENTRIES // 2 :]
            self._verdicts = dict(keep)
        self._verdicts[key] = verdict

    def _mark_used(self, key_id: Any, at: datetime) -> None:
        # After the response, off the request's path: on SQLite a write waits for its turn.
        async def mark() -> None:
            try:
                async with borrow_db_session() as session:
                    await api_keys.mark_used(session, key_id, at)
            except Exception as error:  # noqa: BLE001  # bookkeeping: never the request's failure
                logger.warning("could not record an API key's last use: {}", error)

        task = asyncio.get_running_loop().create_task(mark())
        self._marking.add(task)
        task.add_done_callback(self._marking.discard)

    async def close(self) -> None:
        """Let pending `last used` writes finish (briefly) before the database goes."""
        if self._marking:
            await asyncio.wait(set(self._marking), timeout=2)
            for task in self._marking:
                task.cancel()

    def forget(self) -> None:
        """Drop every cached verdict (tests; an operator's revocation is effective anyway
        within the TTL)."""
        self._verdicts.clear()
