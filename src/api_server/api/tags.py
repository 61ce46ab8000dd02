"""OpenAPI tags: each tag an operation uses is declared once, at the document's root, with a
description (docs group operations by tag and show it; generators name modules after it).

Whoever mounts routes declares their tags: `create_app()` the framework's (`system`,
`graphql`), each `Domain` its own (`Domain.tags`). `verify_tags(app)` runs while the app is
built: a route whose tag nobody declared, or one tag declared twice with two descriptions,
fails the build.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

from fastapi import FastAPI
from fastapi.routing import APIRoute

__all__ = ["TagDeclarationError", "declare_tags", "verify_tags"]


class TagDeclarationError(ValueError):
    """A tag is used without a declaration, or declared twice with two descriptions."""


def declare_tags(app: FastAPI, tags: Mapping[str, str]) -> None:
    """Add `tags` (name -> description) to the document's root `tags`, in order."""
    declared = list(app.openapi_tags or [])
    known = {tag["name"]: tag.get("description") for tag in declared}
    for name, description in tags.items():
        if name not in known:
            declared.append({"name": name, "description": description})
            known[name] = description
        elif known[name] != description:
            raise TagDeclarationError(f"tag {name!r} is declared with two descriptions")
    app.openapi_tags = declared


def verify_tags(app: FastAPI) -> None:
    """Raise when an operation in the document uses a tag that is not declared."""
    declared = {tag["name"] for tag in app.openapi_tags or []}
    for route in app.routes:
        if not (isinstance(route, APIRoute) and route.include_in_schema):
            continue
        for tag in route.tags:
            name = tag.value if isinstance(tag, Enum) else tag
            if name not in declared:
                raise TagDeclarationError(
                    f"{route.path} uses the OpenAPI tag {name!r}, which is not declared: "
                    "add it to its Domain's `tags` (or declare_tags() for framework routes)"
                )
