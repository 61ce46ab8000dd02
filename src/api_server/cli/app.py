"""`api-server-cli`: administrative commands. Add a group: see docs/architecture.md."""

from __future__ import annotations

import typer

from api_server.cli.commands import auth, config, db, events, openapi, seed

app = typer.Typer(
    name="api-server-cli",
    help="Administrative commands for api-server.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(auth.app, name="auth")
app.add_typer(config.app, name="config")
app.add_typer(db.app, name="db")
app.add_typer(events.app, name="events")
app.command("seed")(seed.seed)
app.command("openapi")(openapi.openapi)


def main() -> None:
    app()
