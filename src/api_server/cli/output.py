"""How CLI commands speak: one line per outcome on stderr for errors, no tracebacks."""

from __future__ import annotations

from typing import NoReturn

import typer


def fail(message: str, *, code: int) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def info(message: str) -> None:
    typer.echo(message)
