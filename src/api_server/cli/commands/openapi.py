"""`openapi`: the OpenAPI document of the app the settings build, with no server running."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from api_server.cli.output import fail
from api_server.settings import SettingsError, get_settings

__all__ = ["openapi"]


def openapi(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write it here instead of stdout.")
    ] = None,
) -> None:
    """Print the OpenAPI document `/openapi.json` serves (for linters and client generators).

    Builds the application as `api-server` would, from the settings (the profiles decide
    which operations it has), but connects to nothing.
    """
    from api_server.app import create_app  # the composition root: only this command needs it

    try:
        settings = get_settings()
    except SettingsError as error:
        fail(str(error), code=2)
    text = json.dumps(create_app(settings).openapi(), indent=2) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text)
