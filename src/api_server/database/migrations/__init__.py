"""Alembic migrations shipped in the package (script_location api_server.database:migrations)."""
