"""The application's domains, one folder each. Adding a resource is one line here."""

from __future__ import annotations

from api_server.domain import Domain
from api_server.domains import patients

__all__ = ["DOMAINS"]

DOMAINS: tuple[Domain, ...] = (patients.DOMAIN,)
