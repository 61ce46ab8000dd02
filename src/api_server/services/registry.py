"""ServiceRegistry: services keyed by their type, resolved for routes, GraphQL and handlers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

T = TypeVar("T")

__all__ = ["DuplicateServiceError", "ServiceNotRegisteredError", "ServiceRegistry"]


class ServiceNotRegisteredError(LookupError):
    """`get()` asked for a type nobody registered."""

    def __init__(self, service_type: type[Any], *, needed_by: str | None = None) -> None:
        needed = f" (needed by {needed_by})" if needed_by else ""
        super().__init__(
            f"no service registered for {service_type.__qualname__}{needed}; register it in "
            "its domain's Domain.register, or in api_server.services.di.configure_services()"
        )
        self.service_type = service_type


class DuplicateServiceError(ValueError):
    """A type was registered twice; the second registration would silently win otherwise."""

    def __init__(self, service_type: type[Any]) -> None:
        super().__init__(f"service {service_type.__qualname__} is already registered")
        self.service_type = service_type


class ServiceRegistry:
    """Maps a service type to a provider.

    `register_singleton(Type, instance)` always returns that instance; `register_factory(Type,
    factory)` calls the factory on every `get()` (wrap it in `functools.lru_cache` for a lazily
    built singleton of this registry).
    """

    def __init__(self) -> None:
        self._providers: dict[type[Any], Callable[[], Any]] = {}
        self._overrides: dict[type[Any], list[Any]] = {}

    def register_factory(self, service_type: type[T], factory: Callable[[], T]) -> None:
        self._add(service_type, factory)

    def register_singleton(self, service_type: type[T], instance: T) -> None:
        if not isinstance(instance, service_type):
            raise TypeError(
                f"singleton for {service_type.__qualname__} is a {type(instance).__qualname__}"
            )
        self._add(service_type, lambda: instance)

    def get(self, service_type: type[T]) -> T:
        stack = self._overrides.get(service_type)
        if stack:
            return cast(T, stack[-1])
        try:
            provider = self._providers[service_type]
        except KeyError:
            raise ServiceNotRegisteredError(service_type) from None
        return cast(T, provider())

    def has(self, service_type: type[Any]) -> bool:
        return service_type in self._providers or bool(self._overrides.get(service_type))

    @contextmanager
    def override(self, service_type: type[T], instance: T) -> Iterator[T]:
        """Temporarily resolve `service_type` to `instance` (tests); nests and always undoes."""
        if service_type not in self._providers:
            raise ServiceNotRegisteredError(service_type)
        stack = self._overrides.setdefault(service_type, [])
        stack.append(instance)
        try:
            yield instance
        finally:
            stack.pop()

    def registered_types(self) -> list[type[Any]]:
        return list(self._providers)

    def _add(self, service_type: type[Any], provider: Callable[[], Any]) -> None:
        if service_type in self._providers:
            raise DuplicateServiceError(service_type)
        self._providers[service_type] = provider
