"""The real app plus routes the default app lacks, for server-subprocess tests.

`python -m tests.middleware.server_app` serves it through `api_server.main.serve` (the same
serving path as `api-server`, signal handling included).
"""

from __future__ import annotations

import asyncio

from fastapi import FastAPI, Request

from api_server.database.connection import borrow_db_session
from api_server.domains.patients.api_model import PatientCreate
from api_server.domains.patients.service import PatientService
from api_server.main import app_factory, serve
from api_server.settings import get_settings

_A_PATIENT = PatientCreate.model_validate(
    {"first_name": "Roll", "last_name": "Back", "date_of_birth": "1990-01-01", "sex": "other"}
)


def create_test_app() -> FastAPI:
    app = app_factory()

    @app.post("/echo-size")
    async def echo_size(request: Request) -> dict[str, int]:
        # Buffers the whole body, as most handlers do: only the limit keeps it bounded.
        return {"size": len(await request.body())}

    @app.post("/test-only/create-then-fail")
    async def create_then_fail(request: Request) -> None:
        # A change and its event, then a failure before the commit: both must vanish.
        service: PatientService = request.app.state.registry.get(PatientService)
        async with borrow_db_session() as session:
            await service.create(session=session, data=_A_PATIENT)
            raise RuntimeError("failed after the change, before the commit")

    @app.get("/hang")
    async def hang() -> None:
        await asyncio.Event().wait()  # in flight until the server gives up on it

    return app


if __name__ == "__main__":
    serve(get_settings(), "tests.middleware.server_app:create_test_app")
