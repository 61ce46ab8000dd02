"""REST: /api/v1/patients. Thin: HTTP <-> service calls, nothing else."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response, status

from api_server.api.deps import (
    DEFAULT_PAGE_SIZE,
    CursorQuery,
    IfMatchHeader,
    LimitQuery,
    ReadConnectionDep,
    SessionDep,
)
from api_server.api.links import ID, IF_MATCH, VERSION, link, links
from api_server.api.response_headers import ETAG, LOCATION, headers, merged
from api_server.domains.patients.api_model import (
    LAST_NAME_FILTER,
    AddressRead,
    PatientCreate,
    PatientRead,
    PatientUpdate,
    PrimaryAddressUpdate,
)
from api_server.domains.patients.base_model import NAME_MAX
from api_server.domains.patients.db_model import Patient
from api_server.domains.patients.deps import AddressServiceDep, PatientServiceDep
from api_server.models.api import Page, Text
from api_server.problem import problem_responses
from api_server.services.etag import etag_for

router = APIRouter(prefix="/patients", tags=["patients"])
_NEW_PATIENT = {"patient_id": ID}


def _read(patient: Patient, response: Response) -> PatientRead:
    response.headers["ETag"] = etag_for(patient.version)
    return PatientRead.model_validate(patient)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=PatientRead,
    responses=merged(
        problem_responses(409),
        headers(201, LOCATION, ETAG),
        links(
            201,
            link("getPatient", path=_NEW_PATIENT),
            link("updatePatient", path=_NEW_PATIENT, headers=IF_MATCH, body={"version": VERSION}),
            link("deletePatient", path=_NEW_PATIENT, headers=IF_MATCH),
            link(
                "setPrimaryAddress",
                path=_NEW_PATIENT,
                headers=IF_MATCH,
                body={"address_id": "$response.body#/primary_address_id", "version": VERSION},
            ),
            link("listPatientAddresses", path=_NEW_PATIENT),
            link("createAddress", body={"patient_id": ID}),
        ),
    ),
)
async def create_patient(
    body: PatientCreate,
    session: SessionDep,
    service: PatientServiceDep,
    request: Request,
    response: Response,
) -> PatientRead:
    """Create a patient, optionally with addresses."""
    patient = await service.create(session=session, data=body)
    response.headers["Location"] = request.app.url_path_for("get_patient", patient_id=patient.id)
    return _read(patient, response)


@router.get("", response_model=Page[PatientRead])
async def list_patients(
    session: ReadConnectionDep,
    service: PatientServiceDep,
    limit: LimitQuery = DEFAULT_PAGE_SIZE,
    cursor: CursorQuery = None,
    last_name: Annotated[
        Text | None, Query(max_length=NAME_MAX, description=LAST_NAME_FILTER)
    ] = None,
) -> Page[PatientRead]:
    """List patients in creation order, a page at a time."""
    page = await service.list(session=session, limit=limit, cursor=cursor, last_name=last_name)
    return Page(items=page.items, next_cursor=page.next_cursor)


@router.get(
    "/{patient_id}",
    response_model=PatientRead,
    responses=merged(problem_responses(404), headers(200, ETAG)),
)
async def get_patient(
    patient_id: UUID, db: ReadConnectionDep, service: PatientServiceDep, response: Response
) -> PatientRead:
    """One patient, with its ETag."""
    patient = await service.read(session=db, patient_id=patient_id)
    response.headers["ETag"] = etag_for(patient.version)
    return patient


@router.patch(
    "/{patient_id}",
    response_model=PatientRead,
    responses=merged(problem_responses(404, 409, 412), headers(200, ETAG)),
)
async def update_patient(
    patient_id: UUID,
    body: PatientUpdate,
    session: SessionDep,
    service: PatientServiceDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> PatientRead:
    """Change some fields; `version` must be the one last read (409 otherwise)."""
    patient = await service.update(
        session=session, patient_id=patient_id, data=body, if_match=if_match
    )
    return _read(patient, response)


@router.delete(
    "/{patient_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(404, 412),
)
async def delete_patient(
    patient_id: UUID,
    session: SessionDep,
    service: PatientServiceDep,
    if_match: IfMatchHeader = None,
) -> None:
    """Delete a patient and its addresses."""
    await service.delete(session=session, patient_id=patient_id, if_match=if_match)


@router.put(
    "/{patient_id}/primary-address",
    response_model=PatientRead,
    responses=merged(problem_responses(404, 409, 412), headers(200, ETAG)),
)
async def set_primary_address(
    patient_id: UUID,
    body: PrimaryAddressUpdate,
    session: SessionDep,
    service: PatientServiceDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> PatientRead:
    """Choose (or clear, with null) the patient's primary address; it must be theirs."""
    patient = await service.set_primary_address(
        session=session,
        patient_id=patient_id,
        address_id=body.address_id,
        version=body.version,
        if_match=if_match,
    )
    return _read(patient, response)


@router.get(
    "/{patient_id}/addresses",
    response_model=Page[AddressRead],
    responses=problem_responses(404),
)
async def list_patient_addresses(
    patient_id: UUID,
    session: ReadConnectionDep,
    service: AddressServiceDep,
    limit: LimitQuery = DEFAULT_PAGE_SIZE,
    cursor: CursorQuery = None,
) -> Page[AddressRead]:
    """The patient's addresses, a page at a time."""
    page = await service.list_for_patient(
        session=session, patient_id=patient_id, limit=limit, cursor=cursor
    )
    return Page(items=page.items, next_cursor=page.next_cursor)
