"""The floor start-up and memory are judged against: a process that only imports the server's
runtime libraries (pyproject's dependencies, uvicorn's uvloop and httptools), then prints its
resident memory in MiB. `make bench` times it from spawn to exit, best of a few."""

from __future__ import annotations

import aiosqlite  # noqa: F401
import alembic  # noqa: F401
import arrow  # noqa: F401
import asyncpg  # noqa: F401
import fastapi  # noqa: F401
import fastapi_offline  # noqa: F401
import filelock  # noqa: F401
import httptools  # noqa: F401
import httpx  # noqa: F401
import jwt  # noqa: F401
import loguru  # noqa: F401
import nats  # noqa: F401
import prometheus_client  # noqa: F401
import pydantic  # noqa: F401
import pydantic_settings  # noqa: F401
import sqlalchemy.ext.asyncio  # noqa: F401
import sqlmodel  # noqa: F401
import strawberry  # noqa: F401
import typer  # noqa: F401
import uvicorn  # noqa: F401
import uvloop  # noqa: F401

if __name__ == "__main__":
    with open("/proc/self/status") as status:
        kib = next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))
    print(f"{kib / 1024:.1f}")
