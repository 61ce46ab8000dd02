from tests.api.conftest import api, backend_app, backend_url

__all__ = ["api", "backend_app", "backend_url"]
