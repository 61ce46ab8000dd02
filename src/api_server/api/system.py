"""System routes: home page, liveness and build version."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from api_server.version import get_build_info

TAGS = {
    "system": "Liveness, readiness and the running version: public, for probes and operators "
    "(running the readiness checks now needs `admin`)."
}
router = APIRouter(tags=list(TAGS))


class PingResponse(BaseModel):
    ping: str


class VersionResponse(BaseModel):
    version: str
    commit: str | None


_PONG = b'{"ping":"pong"}'


@router.get("/ping", response_model=PingResponse)
async def ping() -> Response:
    """Liveness: answers as long as the process serves HTTP; touches no dependency."""
    # Pre-serialised: the hottest route skips validation and encoding of a constant.
    return Response(_PONG, media_type="application/json")


@router.get("/version", response_model=VersionResponse)
async def get_version() -> VersionResponse:
    """The running package version and, when known, its git commit."""
    info = get_build_info()
    return VersionResponse(version=info.version, commit=info.commit)


_HOME = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>api-server {version}</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}}
code{{background:#f3f3f3;padding:0 .25rem}}</style></head>
<body><h1>api-server</h1><p>Version <code>{version}</code></p><ul>{links}</ul></body></html>
"""


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def home(request: Request) -> HTMLResponse:
    """A small page linking what this instance serves (no external assets)."""
    links: list[tuple[str, str]] = request.app.state.home_links
    items = "".join(f'<li><a href="{escape(href)}">{escape(text)}</a></li>' for href, text in links)
    html = _HOME.format(version=escape(get_build_info().version), links=items)
    return HTMLResponse(html)
