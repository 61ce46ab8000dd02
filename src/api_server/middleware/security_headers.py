"""The security headers every HTTP response carries (added by `EdgeMiddleware`)."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["DEFAULT_CONTENT_SECURITY_POLICY", "SECURITY_HEADERS"]

# Only same-origin resources; inline styles are allowed because Swagger UI, ReDoc and the
# home page use them, inline scripts are not (the docs pages load theirs from /docs-assets).
# `blob:` workers: ReDoc runs its search index in one.
DEFAULT_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

SECURITY_HEADERS: Mapping[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": DEFAULT_CONTENT_SECURITY_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
