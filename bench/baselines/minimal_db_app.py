"""Baseline: a single-file FastAPI + async SQLAlchemy endpoint on the server's own database.

`GET /patients/{id}` selects the row by primary key and returns it as JSON: what a minimal
hand-written endpoint costs, without the server's layers (DI, services, problem handlers).
Same driver (asyncpg / aiosqlite) and pool size as the server's defaults.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

from fastapi import FastAPI, HTTPException
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

URL = (
    os.environ["BENCH_DATABASE_URL"]
    .replace("postgresql://", "postgresql+asyncpg://", 1)
    .replace("sqlite:///", "sqlite+aiosqlite:///", 1)
)
SELECT = text("SELECT * FROM patients WHERE id = :id")
engine: AsyncEngine | None = None


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    global engine
    engine = create_async_engine(URL, pool_size=20, max_overflow=10)
    yield
    await engine.dispose()


app = FastAPI(lifespan=lifespan)


@app.get("/patients/{patient_id}")
async def get_patient(patient_id: UUID) -> dict[str, Any]:
    assert engine is not None
    # SQLite stores sa.Uuid as 32 hex characters; PostgreSQL has a native uuid type.
    key: Any = patient_id.hex if URL.startswith("sqlite") else patient_id
    async with engine.connect() as conn:
        row = (await conn.execute(SELECT, {"id": key})).mappings().first()
    if row is None:
        raise HTTPException(404)
    return dict(row)
