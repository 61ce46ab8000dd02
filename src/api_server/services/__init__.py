from api_server.services.registry import (
    DuplicateServiceError,
    ServiceNotRegisteredError,
    ServiceRegistry,
)

__all__ = ["DuplicateServiceError", "ServiceNotRegisteredError", "ServiceRegistry"]
