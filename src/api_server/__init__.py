"""api-server: a production-ready FastAPI server foundation."""
