"""Every operation of ours is named after its route function, in camelCase; a name two
operations share, or a link to an operation that does not exist, fails the build."""

from __future__ import annotations

import pytest
from fastapi import APIRouter

from api_server.api.links import ID, link, links
from api_server.api.operation_ids import DuplicateOperationIdError, UnknownLinkTargetError
from api_server.app import create_app
from api_server.domain import Domain
from api_server.domains import DOMAINS
from api_server.settings import Settings


def _domain(router: APIRouter) -> Domain:
    return Domain(
        name="extra", read_scope="extra:read", write_scope="extra:write", routers=(router,)
    )


def test_a_new_domains_operations_are_named_after_their_functions(settings: Settings) -> None:
    router = APIRouter(prefix="/clinics")

    @router.get("/{clinic_id}/opening_hours")
    async def list_clinic_opening_hours(clinic_id: int) -> list[str]:
        return []

    @router.post("/{clinic_id}/close", operation_id="closeClinicNow")
    async def close_clinic(clinic_id: int) -> None: ...

    paths = create_app(settings, domains=(*DOMAINS, _domain(router))).openapi()["paths"]
    assert paths["/api/v1/clinics/{clinic_id}/opening_hours"]["get"]["operationId"] == (
        "listClinicOpeningHours"
    )
    assert paths["/api/v1/clinics/{clinic_id}/close"]["post"]["operationId"] == "closeClinicNow"


def test_two_operations_with_one_id_fail_the_build(settings: Settings) -> None:
    router = APIRouter(prefix="/archive")

    @router.get("")
    async def list_patients() -> list[str]:  # the patients domain has one already
        return []

    with pytest.raises(DuplicateOperationIdError, match="'listPatients'.*GET /api/v1/archive"):
        create_app(settings, domains=(*DOMAINS, _domain(router)))


def test_one_function_serving_two_methods_fails_the_build(settings: Settings) -> None:
    router = APIRouter(prefix="/things")

    @router.api_route("", methods=["GET", "POST"])
    async def things() -> None: ...

    with pytest.raises(DuplicateOperationIdError, match="'things'"):
        create_app(settings, domains=(*DOMAINS, _domain(router)))


def test_a_link_to_an_unknown_operation_fails_the_build(settings: Settings) -> None:
    router = APIRouter(prefix="/things")

    @router.post("", status_code=201, responses=links(201, link("getThing", path={"id": ID})))
    async def create_thing() -> dict[str, str]:
        return {}

    with pytest.raises(UnknownLinkTargetError, match="'getThing'"):
        create_app(settings, domains=(*DOMAINS, _domain(router)))


def test_two_links_to_one_operation_are_refused() -> None:
    with pytest.raises(ValueError, match="one operation"):
        links(201, link("getThing"), link("getThing", path={"id": ID}))
