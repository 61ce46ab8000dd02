"""Every tag an operation uses is declared at the document's root with a description; an
undeclared one fails the build."""

from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter

from api_server.api.tags import TagDeclarationError
from api_server.app import create_app
from api_server.domain import Domain
from api_server.domains import DOMAINS
from api_server.settings import Settings


async def test_every_tag_an_operation_uses_is_declared_with_a_description(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get("/openapi.json")).json()
    used = {
        tag for item in document["paths"].values() for op in item.values() for tag in op["tags"]
    }
    declared = {tag["name"]: tag["description"] for tag in document["tags"]}
    assert used == set(declared) == {"system", "patients", "addresses", "audit", "graphql"}
    assert all(declared.values()), declared


def _clinics(**tags: str) -> Domain:
    router = APIRouter(prefix="/clinics", tags=["clinics"])

    @router.get("")
    async def list_clinics() -> list[str]:
        return []

    return Domain(name="clinics", read_scope="c:r", write_scope="c:w", routers=(router,), tags=tags)


def test_a_domain_declares_the_tags_of_its_routes(settings: Settings) -> None:
    with pytest.raises(TagDeclarationError, match="'clinics', which is not declared"):
        create_app(settings, domains=(*DOMAINS, _clinics()))
    app = create_app(settings, domains=(*DOMAINS, _clinics(clinics="Clinics and their hours.")))
    assert {"name": "clinics", "description": "Clinics and their hours."} in app.openapi()["tags"]


def test_one_tag_with_two_descriptions_fails_the_build(settings: Settings) -> None:
    with pytest.raises(TagDeclarationError, match="'patients' is declared with two descriptions"):
        create_app(settings, domains=(*DOMAINS, _clinics(clinics="C.", patients="Other.")))


def test_a_rest_only_instance_declares_no_graphql_tag(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"profiles": "rest"}))
    assert "graphql" not in {tag["name"] for tag in app.openapi()["tags"]}
