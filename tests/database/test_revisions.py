"""declared_heads(): the revision graph read from the migration files agrees with Alembic's."""

from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory

from api_server.database.alembic_utils import alembic_config
from api_server.database.revisions import declared_heads


def _migration(directory: Path, name: str, revision: str, down: str) -> None:
    (directory / name).write_text(
        f'"""{name}"""\n\nrevision: str = "{revision}"\ndown_revision = {down}\n\n\n'
        "def upgrade() -> None:\n    pass\n",
        encoding="utf-8",
    )


def test_declared_heads_agree_with_alembic() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert declared_heads() == tuple(sorted(script.get_heads()))


def test_declared_heads_follow_branches_and_merges(tmp_path: Path) -> None:
    _migration(tmp_path, "a.py", "a", "None")
    _migration(tmp_path, "b.py", "b", '"a"')
    _migration(tmp_path, "c.py", "c", '"a"')
    assert declared_heads(tmp_path) == ("b", "c")
    _migration(tmp_path, "d.py", "d", '("b", "c")')
    declared_heads.cache_clear()  # read once per directory and process
    assert declared_heads(tmp_path) == ("d",)


def test_declared_heads_give_up_on_ids_that_are_not_literals(tmp_path: Path) -> None:
    _migration(tmp_path, "a.py", "a", "None")
    _migration(tmp_path, "b.py", "b", "PARENT")  # a name: only Alembic can resolve it
    assert declared_heads(tmp_path) is None
