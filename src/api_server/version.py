"""The running build: package version from its metadata, git commit when known."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

DISTRIBUTION = "api-server"


@dataclass(frozen=True, slots=True)
class BuildInfo:
    version: str
    commit: str | None


def _package_version() -> str:
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return "0+unknown"


def _git_commit() -> str | None:
    # An image built without .git passes the commit in; a checkout asks git about this file's repo.
    if commit := os.environ.get("API_SERVER_GIT_COMMIT"):
        return commit
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],  # noqa: S607 - git from PATH on purpose
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=2,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = result.stdout.strip()
    return commit if result.returncode == 0 and commit else None


@lru_cache
def get_build_info() -> BuildInfo:
    """Computed once per process, at app build time (never on a request)."""
    return BuildInfo(version=_package_version(), commit=_git_commit())
