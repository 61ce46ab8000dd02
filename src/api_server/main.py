"""`api-server`: start the server (default), `run` with flags, `check`, and `cli ...` (admin)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn
from fastapi import FastAPI

from api_server.app import create_app
from api_server.cli.app import app as admin_app
from api_server.cli.output import fail
from api_server.logging import setup_logging
from api_server.settings import ENV_PREFIX, Settings, SettingsError, get_settings

app = typer.Typer(
    name="api-server",
    help="Run the API server. Without a command it starts serving with the current settings.",
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(admin_app, name="cli", help="Administrative commands (same as `api-server-cli`).")


def app_factory() -> FastAPI:
    """Uvicorn's entry point; also what each --workers/--reload child process calls."""
    settings = get_settings()
    setup_logging(settings)
    return create_app(settings)


def load_with_overrides(overrides: dict[str, Any]) -> Settings:
    """Apply CLI flags through the environment so --reload and --workers children inherit them."""
    for name, value in overrides.items():
        if value is not None:
            os.environ[ENV_PREFIX + name.upper()] = (
                str(value).lower() if isinstance(value, bool) else str(value)
            )
    get_settings.cache_clear()
    try:
        return get_settings()
    except SettingsError as error:
        fail(str(error), code=2)
        raise  # unreachable: fail() exits


def serve(settings: Settings) -> None:
    setup_logging(settings)
    if (db_file := settings.sqlite_path()) is not None:
        db_file.parent.mkdir(parents=True, exist_ok=True)
    uvicorn.run(
        "api_server.main:app_factory",
        factory=True,
        host=settings.host,
        port=settings.port,
        reload=settings.reload,
        reload_dirs=[str(Path(__file__).resolve().parent)] if settings.reload else None,
        workers=None if settings.reload else settings.workers,
        log_config=None,
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=int(settings.drain_timeout + 0.999),
    )


@app.callback(invoke_without_command=True)
def default(ctx: typer.Context) -> None:
    if ctx.invoked_subcommand is None:
        serve(load_with_overrides({}))


@app.command()
def run(
    host: Annotated[str | None, typer.Option(help="Bind address.")] = None,
    port: Annotated[int | None, typer.Option(help="Port.")] = None,
    log_level: Annotated[str | None, typer.Option(help="TRACE..CRITICAL.")] = None,
    reload: Annotated[
        bool | None, typer.Option("--reload/--no-reload", help="Restart on code change.")
    ] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes.")] = None,
    database_url: Annotated[
        str | None, typer.Option(help="sqlite:/// or postgresql:// URL.")
    ] = None,
    profile: Annotated[str | None, typer.Option(help="rest, graphql, or empty for both.")] = None,
    sql_log: Annotated[bool | None, typer.Option("--sql-log/--no-sql-log")] = None,
) -> None:
    """Start the server; flags override API_SERVER_* settings."""
    overrides = {
        "host": host,
        "port": port,
        "log_level": log_level.upper() if log_level else None,
        "reload": reload,
        "workers": workers,
        "database_url": database_url,
        "profiles": profile,
        "sql_log": sql_log,
    }
    serve(load_with_overrides(overrides))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
