"""The versioned REST surface, mounted at /api/v1 when the `rest` profile is active."""

from __future__ import annotations

from fastapi import APIRouter

from api_server.api import addresses, patients

PREFIX = "/api/v1"

router = APIRouter(prefix=PREFIX)
router.include_router(patients.router)
router.include_router(addresses.router)
