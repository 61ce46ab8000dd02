"""Who is calling: the principal a verified credential stands for."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Literal

__all__ = ["ADMIN_SCOPE", "Principal", "current_principal", "principal_var"]

ADMIN_SCOPE = "admin"


@dataclass(frozen=True, slots=True)
class Principal:
    """A verified caller. Never holds the credential itself.

    `kind` is how it was verified; `name` is the API key's name, or the JWT's `sub`;
    `client_id` is the JWT's `client_id` (or `azp`) when it has one.
    """

    kind: Literal["api_key", "jwt"]
    name: str
    scopes: frozenset[str]
    client_id: str | None = None

    def has(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def label(self) -> str:
        """How logs and events name the caller: `key:<name>` or `jwt:<sub>[@<client_id>]`.
        A JWT's claims are the issuer's strings: anything outside printable ASCII becomes
        `?` and the label is cut at 200 characters, so it cannot forge a log line."""
        if self.kind == "api_key":
            return f"key:{self.name}"
        label = f"jwt:{self.name}" + (f"@{self.client_id}" if self.client_id else "")
        return "".join(c if " " < c < "\x7f" else "?" for c in label[:200])


# The principal of the request being served (set once it is authenticated), so that events
# raised by services carry it without every service taking it as an argument.
principal_var: ContextVar[Principal | None] = ContextVar("principal", default=None)


def current_principal() -> Principal | None:
    return principal_var.get()
