"""`config show`: the effective settings, secrets masked."""

from __future__ import annotations

import json

import typer

from api_server.cli.output import fail
from api_server.logging import redact
from api_server.settings import SettingsError, get_settings

app = typer.Typer(help="Inspect the effective settings.", no_args_is_help=True)


@app.command("show")
def show() -> None:
    """Print the effective settings as JSON (passwords masked)."""
    try:
        settings = get_settings()
    except SettingsError as error:
        fail(str(error), code=2)
    values = settings.model_dump(mode="json")
    values["database_url"] = redact(settings.database_url.get_secret_value())
    typer.echo(json.dumps(values, indent=2, sort_keys=True))
