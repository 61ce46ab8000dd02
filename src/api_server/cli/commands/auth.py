"""`auth`: API keys. `create-key` prints the key once, as the last line of its output."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from api_server.auth import api_keys
from api_server.auth.principal import ADMIN_SCOPE
from api_server.cli.commands.db import ExitCode, require_head, run_on_database
from api_server.cli.output import fail, info
from api_server.database.alembic_utils import AlembicManager
from api_server.database.connection import borrow_db_read_connection, borrow_db_session

__all__ = ["app", "known_scopes"]

app = typer.Typer(help="API keys: create, list, revoke.", no_args_is_help=True)

MAX_DAYS = 3650


def known_scopes() -> list[str]:
    """`admin` and each domain's read and write scopes."""
    # The composition root knows the domains; a framework package must not name them.
    from api_server.app import DOMAINS

    return [ADMIN_SCOPE, *(s for d in DOMAINS for s in (d.read_scope, d.write_scope))]


@app.command("create-key")
def create_key(
    name: Annotated[str, typer.Argument(help="Who or what will use it, e.g. 'billing-sync'.")],
    scope: Annotated[
        list[str], typer.Option("--scope", "-s", help="A scope the key grants (repeatable).")
    ],
    expires_in: Annotated[
        int | None,
        typer.Option("--expires-in", help=f"Days until it expires (1..{MAX_DAYS}); default never."),
    ] = None,
) -> None:
    """Create an API key and print it once; only its SHA-256 digest is stored."""
    try:
        api_keys.check_name(name)
    except ValueError as error:
        fail(f"NAME: {error}", code=ExitCode.USAGE)
    known = known_scopes()
    unknown = sorted(set(scope) - set(known))
    if unknown:
        fail(
            f"--scope: unknown {', '.join(unknown)}; known: {', '.join(known)}", code=ExitCode.USAGE
        )
    if expires_in is not None and not 1 <= expires_in <= MAX_DAYS:
        fail(f"--expires-in: {expires_in} is not within 1..{MAX_DAYS} days", code=ExitCode.USAGE)

    async def create(manager: AlembicManager) -> api_keys.NewKey:
        await require_head(manager)
        async with borrow_db_session() as session:
            return await api_keys.create_key(
                session,
                name=name,
                scopes=scope,
                expires_in=timedelta(days=expires_in) if expires_in else None,
            )

    created = run_on_database(create)
    record = created.record
    expiry = record.expires_at.isoformat() if record.expires_at else "never"
    info(f"created API key {record.name}: scopes {' '.join(record.scopes)}; expires {expiry}")
    info("the key is shown once; keep it in a secret store:")
    info(created.key)


@app.command("list-keys")
def list_keys() -> None:
    """List keys: name, scopes, created, last used, expiry, state (never the key)."""

    async def read(manager: AlembicManager) -> list[api_keys.ApiKeyRecord]:
        await require_head(manager)
        async with borrow_db_read_connection() as connection:
            return await api_keys.list_keys(connection)

    records = run_on_database(read)
    if not records:
        info("no API keys")
        return
    info("NAME\tSCOPES\tCREATED\tLAST USED\tEXPIRES\tSTATE")
    for r in records:
        state = "revoked" if r.revoked_at else "live"
        info(
            "\t".join(
                [
                    r.name,
                    ",".join(r.scopes),
                    r.created_at.isoformat(timespec="seconds"),
                    r.last_used_at.isoformat(timespec="seconds") if r.last_used_at else "never",
                    r.expires_at.isoformat(timespec="seconds") if r.expires_at else "never",
                    state,
                ]
            )
        )


@app.command("revoke-key")
def revoke_key(name: Annotated[str, typer.Argument(help="The key's name.")]) -> None:
    """Revoke the live key NAME: refused on every instance within API_SERVER_AUTH_CACHE_TTL."""

    async def revoke(manager: AlembicManager) -> api_keys.ApiKeyRecord:
        await require_head(manager)
        async with borrow_db_session() as session:
            return await api_keys.revoke_key(session, name=name)

    record = run_on_database(revoke)
    info(f"revoked API key {record.name}")
