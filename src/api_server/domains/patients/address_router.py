"""REST: /api/v1/addresses."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, Response, status

from api_server.api.deps import IfMatchHeader, SessionDep
from api_server.api.links import ID, IF_MATCH, VERSION, link, links
from api_server.api.response_headers import ETAG, LOCATION, headers, merged
from api_server.domains.patients.api_model import AddressCreate, AddressRead, AddressUpdate
from api_server.domains.patients.db_model import Address
from api_server.domains.patients.deps import AddressServiceDep
from api_server.problem import problem_responses
from api_server.services.etag import etag_for

router = APIRouter(prefix="/addresses", tags=["addresses"])
_NEW_ADDRESS = {"address_id": ID}


def _read(address: Address, response: Response) -> AddressRead:
    response.headers["ETag"] = etag_for(address.version)
    return AddressRead.model_validate(address)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=AddressRead,
    responses=merged(
        problem_responses(404),
        headers(201, LOCATION, ETAG),
        links(
            201,
            link("getAddress", path=_NEW_ADDRESS),
            link("updateAddress", path=_NEW_ADDRESS, headers=IF_MATCH, body={"version": VERSION}),
            link("deleteAddress", path=_NEW_ADDRESS, headers=IF_MATCH),
            link(
                "setPrimaryAddress",
                path={"patient_id": "$response.body#/patient_id"},
                body={"address_id": ID},
            ),
        ),
    ),
)
async def create_address(
    body: AddressCreate,
    session: SessionDep,
    service: AddressServiceDep,
    request: Request,
    response: Response,
) -> AddressRead:
    """Add an address to an existing patient."""
    address = await service.create(session=session, data=body)
    response.headers["Location"] = request.app.url_path_for("get_address", address_id=address.id)
    return _read(address, response)


@router.get(
    "/{address_id}",
    response_model=AddressRead,
    responses=merged(problem_responses(404), headers(200, ETAG)),
)
async def get_address(
    address_id: UUID, session: SessionDep, service: AddressServiceDep, response: Response
) -> AddressRead:
    """One address, with its ETag."""
    return _read(await service.get(session=session, address_id=address_id), response)


@router.patch(
    "/{address_id}",
    response_model=AddressRead,
    responses=merged(problem_responses(404, 409, 412), headers(200, ETAG)),
)
async def update_address(
    address_id: UUID,
    body: AddressUpdate,
    session: SessionDep,
    service: AddressServiceDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> AddressRead:
    """Change some fields; `version` must be the one last read (409 otherwise)."""
    address = await service.update(
        session=session, address_id=address_id, data=body, if_match=if_match
    )
    return _read(address, response)


@router.delete(
    "/{address_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(404, 412),
)
async def delete_address(
    address_id: UUID,
    session: SessionDep,
    service: AddressServiceDep,
    if_match: IfMatchHeader = None,
) -> None:
    """Delete an address (a patient using it as primary gets none)."""
    await service.delete(session=session, address_id=address_id, if_match=if_match)
