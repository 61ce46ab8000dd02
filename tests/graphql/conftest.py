"""GraphQL tests run on SQLite and PostgreSQL, with the same fixtures as the REST tests."""

from __future__ import annotations

from tests.api.conftest import api, backend_app, backend_url

__all__ = ["api", "backend_app", "backend_url"]
