"""The versioned REST surface, mounted at /api/v1 when the `rest` profile is active."""

from __future__ import annotations

from fastapi import APIRouter

from api_server.api import addresses, patients

PREFIX = "/api/v1"

# Mounted route by route under PREFIX by create_app() (see api/routing.py: include_flat).
ROUTERS: tuple[APIRouter, ...] = (patients.router, addresses.router)
