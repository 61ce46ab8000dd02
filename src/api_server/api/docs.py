"""Swagger UI at /docs and ReDoc at /redoc, served with local assets (no CDN, no internet).

The JavaScript and CSS come from the `fastapi-offline` package's static files; the pages are
our own so that they carry no inline script and work under the default
Content-Security-Policy (`script-src 'self'`).
"""

from __future__ import annotations

from html import escape
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles

__all__ = ["DOCS_ASSETS_PATH", "install_docs"]

DOCS_ASSETS_PATH = "/docs-assets"

# Relative URLs: they resolve against the page, so the docs keep working behind a proxy that
# serves the API under a path prefix (root_path).
_SWAGGER_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} - Swagger UI</title>
<link rel="stylesheet" href="docs-assets/swagger-ui.css">
<link rel="icon" type="image/png" href="docs-assets/favicon.png"></head>
<body><div id="swagger-ui"></div>
<script src="docs-assets/swagger-ui-bundle.js"></script>
<script src="docs/swagger-init.js"></script></body></html>
"""

_SWAGGER_INIT = """window.ui = SwaggerUIBundle({
  url: new URL("openapi.json", document.baseURI).href,
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
"""

_REDOC_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} - ReDoc</title>
<link rel="icon" type="image/png" href="docs-assets/favicon.png"></head>
<body><redoc spec-url="openapi.json"></redoc>
<script src="docs-assets/redoc.standalone.js"></script></body></html>
"""


def _assets_dir() -> Path:
    return Path(str(files("fastapi_offline") / "static"))


def install_docs(app: FastAPI) -> None:
    """Mount the offline Swagger UI and ReDoc pages and their assets on `app`."""
    title = escape(app.title)
    swagger_page = _SWAGGER_PAGE.format(title=title)
    redoc_page = _REDOC_PAGE.format(title=title)

    async def swagger_ui(request: Request) -> Response:
        return HTMLResponse(swagger_page)

    async def swagger_init(request: Request) -> Response:
        return Response(_SWAGGER_INIT, media_type="text/javascript")

    async def redoc(request: Request) -> Response:
        return HTMLResponse(redoc_page)

    app.add_route("/docs", swagger_ui, methods=["GET"], include_in_schema=False)
    app.add_route("/docs/swagger-init.js", swagger_init, methods=["GET"], include_in_schema=False)
    app.add_route("/redoc", redoc, methods=["GET"], include_in_schema=False)
    app.mount(DOCS_ASSETS_PATH, StaticFiles(directory=_assets_dir()), name="docs-assets")
