"""`JwksCheck`: whether the JWT signing keys could be fetched (JWT via a JWKS URL only)."""

from __future__ import annotations

from api_server.auth.jwks import JwksCache
from api_server.readiness_pipeline import ReadinessCheck, ReadinessCheckResult

__all__ = ["JwksCheck"]


class JwksCheck(ReadinessCheck):
    """Reports the JWKS cache, fetching it first while it has never been fetched or the last
    fetch failed (at most once per minimum refetch interval; tokens with unknown kids fetch too).

    Non-critical: with the JWKS unreachable, tokens signed by cached keys still verify and
    API keys still work, so the instance keeps serving; the warning says why JWTs may fail.
    """

    def __init__(self, jwks: JwksCache) -> None:
        super().__init__("jwks", is_critical=False)
        self._jwks = jwks

    async def _execute(self) -> ReadinessCheckResult:
        await self._jwks.refresh_if_needed()
        state = self._jwks.state
        details = {"keys": state.key_count}
        if state.error is not None and state.fetched:
            return self.warning(
                f"last JWKS fetch failed: {state.error}; cached keys in use", details
            )
        if state.error is not None:
            return self.warning(f"JWKS not fetched: {state.error}", details)
        if not state.fetched:
            return self.warning("JWKS not fetched yet: the first token fetches it", details)
        return self.success(f"{state.key_count} signing keys", details)
