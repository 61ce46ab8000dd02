"""Baseline: the smallest FastAPI app answering like /ping (no middleware, no database)."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/ping")
async def ping() -> dict[str, str]:
    return {"ping": "pong"}
