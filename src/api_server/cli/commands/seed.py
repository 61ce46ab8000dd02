"""`seed`: load each domain's small sample data set (idempotent)."""

from __future__ import annotations

from api_server.cli.commands.db import require_head, run_on_database
from api_server.cli.output import info
from api_server.database.alembic_utils import AlembicManager

__all__ = ["seed"]


def seed() -> None:
    """Load a small, realistic sample data set; run it again and it adds nothing.

    The schema must be at head (`db upgrade --yes`, or start the server once).
    """
    # The composition root knows the domains; a framework package must not name them.
    from api_server.app import DOMAINS

    async def load(manager: AlembicManager) -> list[tuple[str, int]]:
        await require_head(manager)
        return [(domain.name, await domain.seed()) for domain in DOMAINS if domain.seed]

    for name, added in run_on_database(load):
        info(f"{name}: {added} sample records added")
