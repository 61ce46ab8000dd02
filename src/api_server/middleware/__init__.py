"""Pure ASGI middleware of the server (no BaseHTTPMiddleware: it sits on every request)."""

from api_server.middleware.unhandled_errors import UnhandledErrorMiddleware

__all__ = ["UnhandledErrorMiddleware"]
