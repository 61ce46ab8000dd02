"""Baseline: a single-file FastAPI + Strawberry endpoint answering the bench's patient query.

What GraphQL costs on its own: the same query shape as the server's `patient(id)`, resolved
with one async SQLAlchemy select on the server's database, with the parser and validation
caches any tuned Strawberry app turns on, and nothing else (no middleware, DI, limits or
error formatting). Same driver (asyncpg / aiosqlite) and pool size as the server's defaults.
"""

import datetime as dt
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

import strawberry
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.fastapi import GraphQLRouter

URL = (
    os.environ["BENCH_DATABASE_URL"]
    .replace("postgresql://", "postgresql+asyncpg://", 1)
    .replace("sqlite:///", "sqlite+aiosqlite:///", 1)
)
SELECT = text("SELECT * FROM patients WHERE id = :id")
engine: AsyncEngine | None = None


@strawberry.type
class Patient:
    id: strawberry.ID
    patient_id: str
    first_name: str
    last_name: str
    date_of_birth: dt.date
    sex: str
    conditions: list[str]
    allergies: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


@strawberry.type
class Query:
    @strawberry.field
    async def patient(self, id: strawberry.ID) -> Patient | None:
        assert engine is not None
        # SQLite stores sa.Uuid as 32 hex characters, JSON as text; PostgreSQL has both types.
        key: Any = UUID(id).hex if URL.startswith("sqlite") else UUID(id)
        async with engine.connect() as conn:
            row = (await conn.execute(SELECT, {"id": key})).mappings().first()
        if row is None:
            return None
        # A raw text() select gets the driver's values: JSON as text on both, dates as text
        # on SQLite.
        values = {k: v for k, v in row.items() if k in Patient.__annotations__}
        for name in ("conditions", "allergies"):
            if isinstance(values[name], str):
                values[name] = json.loads(values[name])
        for name in ("created_at", "updated_at"):
            if isinstance(values[name], str):
                values[name] = dt.datetime.fromisoformat(values[name])
        if isinstance(values["date_of_birth"], str):
            values["date_of_birth"] = dt.date.fromisoformat(values["date_of_birth"])
        values["id"] = strawberry.ID(str(UUID(str(values["id"]))))
        return Patient(**values)


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    global engine
    engine = create_async_engine(URL, pool_size=20, max_overflow=10)
    yield
    await engine.dispose()


schema = strawberry.Schema(
    query=Query, extensions=[ParserCache(maxsize=256), ValidationCache(maxsize=256)]
)
app = FastAPI(lifespan=lifespan)
app.include_router(GraphQLRouter(schema, graphql_ide=None), prefix="/graphql")
