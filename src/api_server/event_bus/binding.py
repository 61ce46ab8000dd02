"""Turn a handler (function or class with `handle`) into a ready-to-call binding.

All inspection happens here, once, at registration: the event parameter is found, every other
parameter (and every constructor parameter of a handler class) is matched by its type
annotation to a service of the `ServiceRegistry`. Anything that cannot be satisfied raises now,
never at emit time.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from api_server.event_bus.errors import HandlerRegistrationError, MissingDependencyError
from api_server.services.registry import ServiceRegistry

__all__ = ["HandlerBinding", "bind_handler", "handler_name"]

_INJECTABLE = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
_VARIADIC = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)


def handler_name(handler: Any) -> str:
    module = getattr(handler, "__module__", None) or "?"
    qualname = getattr(handler, "__qualname__", None) or type(handler).__qualname__
    return f"{module}.{qualname}"


@dataclass(frozen=True, slots=True)
class HandlerBinding:
    """A registered handler: `invoke(event)` runs it with its dependencies resolved."""

    key: Any  # what was registered; equal keys are duplicates
    name: str
    is_async: bool
    invoke: Callable[[Any], Any]


def bind_handler(handler: Any, event_type: type[Any], registry: ServiceRegistry) -> HandlerBinding:
    """Inspect `handler` for `event_type`; raise `HandlerRegistrationError` if it cannot run."""
    name = handler_name(handler)
    if inspect.isclass(handler):
        return _bind_class(handler, event_type, registry, name)
    if not callable(handler):
        raise HandlerRegistrationError(f"event handler {name} is neither callable nor a class")
    deps = _dependencies(handler, registry, name, event_type=event_type)
    return HandlerBinding(
        handler, name, inspect.iscoroutinefunction(handler), _caller(handler, deps, registry)
    )


def _bind_class(
    cls: type[Any], event_type: type[Any], registry: ServiceRegistry, name: str
) -> HandlerBinding:
    handle = getattr(cls, "handle", None)
    if handle is None or not callable(handle):
        raise HandlerRegistrationError(f"event handler class {name} has no handle() method")
    ctor_deps = _dependencies(cls, registry, name)
    # `handle` is looked up on the class: drop `self`, then the event is the next parameter.
    handle_deps = _dependencies(handle, registry, f"{name}.handle", event_type=event_type, skip=1)

    def invoke(event: Any) -> Any:
        instance = cls(**{param: registry.get(dep) for param, dep in ctor_deps})
        return instance.handle(event, **{param: registry.get(dep) for param, dep in handle_deps})

    return HandlerBinding(cls, name, inspect.iscoroutinefunction(handle), invoke)


def _caller(
    function: Callable[..., Any], deps: list[tuple[str, type[Any]]], registry: ServiceRegistry
) -> Callable[[Any], Any]:
    if not deps:
        return function  # the common case: no per-call overhead at all

    def invoke(event: Any) -> Any:
        return function(event, **{param: registry.get(dep) for param, dep in deps})

    return invoke


def _dependencies(
    target: Callable[..., Any],
    registry: ServiceRegistry,
    name: str,
    *,
    event_type: type[Any] | None = None,
    skip: int = 0,
) -> list[tuple[str, type[Any]]]:
    """(parameter, service type) pairs to inject; the event parameter comes first if expected."""
    try:
        signature = inspect.signature(target)
        hints = typing.get_type_hints(target.__init__ if inspect.isclass(target) else target)
    except (TypeError, ValueError, NameError) as error:
        raise HandlerRegistrationError(f"cannot inspect event handler {name}: {error}") from error
    params = [p for p in signature.parameters.values() if p.kind not in _VARIADIC][skip:]
    if event_type is not None:
        if not params or params[0].kind is inspect.Parameter.KEYWORD_ONLY:
            raise HandlerRegistrationError(
                f"event handler {name} must take the event as its first positional parameter"
            )
        _check_event_parameter(hints.get(params[0].name), event_type, name)
        params = params[1:]
    deps: list[tuple[str, type[Any]]] = []
    for param in params:
        dependency = _dependency(param, hints, registry, name)
        if dependency is not None:
            deps.append((param.name, dependency))
    return deps


def _check_event_parameter(annotation: Any, event_type: type[Any], name: str) -> None:
    if inspect.isclass(annotation) and not issubclass(event_type, annotation):
        raise HandlerRegistrationError(
            f"event handler {name} takes {annotation.__qualname__}, "
            f"but is registered for {event_type.__qualname__}"
        )


def _dependency(
    param: inspect.Parameter, hints: dict[str, Any], registry: ServiceRegistry, name: str
) -> type[Any] | None:
    annotation = hints.get(param.name)
    has_default = param.default is not inspect.Parameter.empty
    if param.kind not in _INJECTABLE:
        raise HandlerRegistrationError(
            f"event handler {name}: parameter {param.name!r} is positional-only; "
            "injected parameters are passed by keyword"
        )
    if annotation is None:
        if has_default:
            return None
        raise HandlerRegistrationError(
            f"event handler {name}: parameter {param.name!r} has no type annotation to inject by"
        )
    if not inspect.isclass(annotation):
        raise HandlerRegistrationError(
            f"event handler {name}: parameter {param.name!r} is annotated {annotation!r}; "
            "only a plain service class can be injected"
        )
    if registry.has(annotation):
        return annotation
    if has_default:
        return None  # optional collaborator: keep the default
    raise MissingDependencyError(name, param.name, annotation)
