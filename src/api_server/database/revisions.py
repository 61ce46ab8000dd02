"""The migrations' revision graph as declared in their files, read without Alembic.

Importing Alembic (with Mako and Pygments) costs ~0.1 s of start-up; knowing that the database
is at the code's single head only needs the `revision` / `down_revision` ids.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

__all__ = ["declared_heads"]


def _versions_directory() -> Path:
    return Path(str(files("api_server.database") / "migrations" / "versions"))


def _declared_ids(path: Path) -> tuple[str, tuple[str, ...]] | None:
    """(revision, down revisions) as assigned at the top of a migration file, or None when
    they are not plain string literals (then only Alembic can tell)."""
    values: dict[str, object] = {}
    for node in ast.parse(path.read_text(encoding="utf-8"), str(path)).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
            try:
                values[target.id] = ast.literal_eval(value)
            except ValueError:
                return None
    revision, down = values.get("revision"), values.get("down_revision")
    if not isinstance(revision, str):
        return None
    if down is None:
        return revision, ()
    if isinstance(down, str):
        return revision, (down,)
    if isinstance(down, tuple | list) and all(isinstance(d, str) for d in down):
        return revision, tuple(down)
    return None


@lru_cache
def declared_heads(directory: Path | None = None) -> tuple[str, ...] | None:
    """The code's head revisions read from the migration files without importing them or
    Alembic, or None when a file declares its ids in a way this reader does not follow.

    Only ever used to recognise "the database is at the single head"; every other state is
    decided by Alembic (tests/database/test_alembic_utils.py keeps the two in agreement).
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted((directory or _versions_directory()).glob("*.py")):
        if path.name.startswith(("__init__", ".#")):  # what Alembic skips too (editor locks)
            continue
        ids = _declared_ids(path)
        if ids is None:
            return None
        revisions.add(ids[0])
        parents.update(ids[1])
    return tuple(sorted(revisions - parents)) if revisions else None
