"""Pure ASGI middleware of the server (no BaseHTTPMiddleware: it sits on every request).

`install_middleware(app, settings)` installs them in the order documented in `stack.py`.
"""

from api_server.middleware.access_log import AccessLog
from api_server.middleware.body_limit import BodySizeLimitMiddleware, BodyTooLargeError
from api_server.middleware.edge import EdgeMiddleware
from api_server.middleware.request_id import REQUEST_ID_HEADER, is_well_formed_request_id
from api_server.middleware.route_template import route_template
from api_server.middleware.security_headers import SECURITY_HEADERS
from api_server.middleware.stack import install_middleware
from api_server.middleware.trusted_host import TrustedHostMiddleware
from api_server.middleware.unhandled_errors import UnhandledErrorMiddleware

__all__ = [
    "REQUEST_ID_HEADER",
    "SECURITY_HEADERS",
    "AccessLog",
    "BodySizeLimitMiddleware",
    "BodyTooLargeError",
    "EdgeMiddleware",
    "TrustedHostMiddleware",
    "UnhandledErrorMiddleware",
    "install_middleware",
    "is_well_formed_request_id",
    "route_template",
]
