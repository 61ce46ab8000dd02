"""`api-server`: start the server (default), `run` with flags, `check`, and `cli ...` (admin)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Annotated, Any

import typer
import uvicorn
from fastapi import FastAPI
from loguru import logger

from api_server.app import create_app
from api_server.checks import build_server_pipeline
from api_server.cli.app import app as admin_app
from api_server.cli.output import fail
from api_server.collector import gc_paused
from api_server.database.connection import dispose_db, init_db
from api_server.logging import setup_logging
from api_server.readiness_pipeline import PipelineResult, ReadinessStatus, format_summary
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
    with gc_paused():  # long-lived objects only: routes, schemas, the GraphQL stack
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


def _exit_after_graceful_shutdown(sig: int, frame: FrameType | None) -> None:
    # uvicorn re-raises a captured SIGTERM once it has shut down gracefully; with the default
    # disposition the process would then die "killed by SIGTERM" although the drain went
    # well. Before uvicorn installs its handlers, this stops start-up just as promptly.
    raise SystemExit(0)


class _Server(uvicorn.Server):
    """uvicorn's server, where a second SIGTERM also forces the exit (uvicorn only does so
    for a second SIGINT): an orchestrator or operator repeating the stop is not kept waiting
    for the drain (`drain_timeout`) to run out.
    """

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        second_term = sig == signal.SIGTERM and self.should_exit
        super().handle_exit(sig, frame)
        if second_term:
            logger.warning("second SIGTERM: exiting without waiting for the drain")
            self.force_exit = True


def serve(settings: Settings, app_factory_import: str = "api_server.main:app_factory") -> None:
    """Serve the app built by the factory at `app_factory_import` with `settings`."""
    setup_logging(settings)
    signal.signal(signal.SIGTERM, _exit_after_graceful_shutdown)
    if settings.reload:
        # The reloader restarts its child with SIGTERM on every change; there is no load
        # balancer to drain from, so the child should not hold on for drain_delay.
        os.environ[ENV_PREFIX + "DRAIN_DELAY"] = "0"
    if (db_file := settings.sqlite_path()) is not None:
        db_file.parent.mkdir(parents=True, exist_ok=True)
    options: dict[str, Any] = {
        "factory": True,
        "host": settings.host,
        "port": settings.port,
        "reload": settings.reload,
        "reload_dirs": [str(Path(__file__).resolve().parent)] if settings.reload else None,
        "workers": None if settings.reload else settings.workers,
        "log_config": None,
        "access_log": False,
        "server_header": False,
        # drain_timeout is the whole budget from SIGTERM: drain_delay (still accepting, /health-
        # check answers 503), then in-flight requests get the rest (uvicorn wants whole seconds).
        "timeout_graceful_shutdown": max(1, int(settings.drain_timeout - settings.drain_delay)),
    }
    if settings.reload or settings.workers > 1:
        # Supervisor paths: each worker runs uvicorn's own server.
        uvicorn.run(app_factory_import, **options)
        return
    server = _Server(uvicorn.Config(app_factory_import, **options))
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises a captured SIGINT
        server.run()
    if not server.started:
        sys.exit(3)  # uvicorn's STARTUP_FAILURE, as uvicorn.run() would


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


@app.command()
def check() -> None:
    """Run the server's readiness pipeline once; exit 0 only when the server would be ready."""
    try:
        settings = get_settings()
    except SettingsError as error:
        fail(str(error), code=2)
    setup_logging(settings)

    # A check observes: it never migrates, so a schema behind the code is reported (exit 1).
    observing = settings.model_copy(update={"auto_migrate": False})

    async def run_pipeline() -> PipelineResult:
        init_db(observing)
        try:
            return await build_server_pipeline(observing).run()
        finally:
            await dispose_db()

    result = asyncio.run(run_pipeline())
    typer.echo(format_summary(result))
    if not result.is_ready:
        failed = [
            check
            for check in result.checks()
            if check.is_critical and check.status is ReadinessStatus.FAILED
        ]
        cause = "; ".join(f"{check.name}: {check.message}" for check in failed)
        fail(f"not ready: {cause}" if cause else "not ready", code=1)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
