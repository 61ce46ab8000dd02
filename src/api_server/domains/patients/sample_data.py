"""A small, realistic sample data set (`api-server-cli seed`, `make seed`).

Idempotent: each sample patient has a fixed `patient_id` (`DEMO-0001`, ...); those already in
the database are left as they are, so running the seed twice adds nothing the second time.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from api_server.database.state import borrow_db_session
from api_server.domains.patients.api_model import PatientCreate
from api_server.domains.patients.db_model import Patient
from api_server.domains.patients.service import PatientService
from api_server.event_bus import EventBus
from api_server.services.registry import ServiceRegistry

__all__ = ["SAMPLE_PATIENTS", "seed_sample_patients"]


def _patient(
    code: str, first: str, last: str, born: date, sex: str, **extra: Any
) -> dict[str, Any]:
    return {
        "patient_id": code,
        "first_name": first,
        "last_name": last,
        "date_of_birth": born.isoformat(),
        "sex": sex,
        **extra,
    }


def _home(street: str, city: str, postal_code: str, country: str) -> dict[str, str]:
    return {
        "type": "home",
        "street": street,
        "city": city,
        "postal_code": postal_code,
        "country": country,
    }


SAMPLE_PATIENTS: tuple[dict[str, Any], ...] = (
    _patient(
        "DEMO-0001",
        "Amara",
        "Okafor",
        date(1984, 3, 12),
        "female",
        conditions=["asthma"],
        allergies=["penicillin"],
        addresses=[_home("12 Harbour Road", "Lagos", "101241", "NG")],
    ),
    _patient(
        "DEMO-0002",
        "Lars",
        "Nilsson",
        date(1952, 11, 2),
        "male",
        conditions=["type 2 diabetes", "hypertension"],
        addresses=[_home("Storgatan 4", "Uppsala", "753 20", "SE")],
    ),
    _patient(
        "DEMO-0003",
        "Mei",
        "Tanaka",
        date(1999, 7, 30),
        "female",
        addresses=[_home("2-1-3 Shibuya", "Tokyo", "150-0002", "JP")],
    ),
    _patient(
        "DEMO-0004",
        "Diego",
        "Alvarez",
        date(1976, 1, 19),
        "male",
        allergies=["latex"],
        addresses=[
            _home("Calle Mayor 8", "Madrid", "28013", "ES"),
            {
                "type": "work",
                "street": "Paseo de la Castellana 100",
                "city": "Madrid",
                "postal_code": "28046",
                "country": "ES",
            },
        ],
    ),
    _patient("DEMO-0005", "Sam", "Taylor", date(2008, 5, 5), "other", conditions=["eczema"]),
    _patient(
        "DEMO-0006",
        "Fatima",
        "Haddad",
        date(1965, 9, 23),
        "female",
        conditions=["osteoarthritis"],
        addresses=[_home("Rue de la Paix 21", "Lyon", "69002", "FR")],
    ),
    _patient(
        "DEMO-0007",
        "Noah",
        "Okafor",
        date(2015, 12, 1),
        "male",
        allergies=["peanuts", "shellfish"],
        addresses=[_home("12 Harbour Road", "Lagos", "101241", "NG")],
    ),
    _patient(
        "DEMO-0008",
        "Priya",
        "Raman",
        date(1990, 4, 17),
        "female",
        addresses=[_home("14 MG Road", "Bengaluru", "560001", "IN")],
    ),
    _patient(
        "DEMO-0009",
        "Jonas",
        "Weber",
        date(1948, 8, 8),
        "unknown",
        conditions=["atrial fibrillation"],
    ),
    _patient(
        "DEMO-0010",
        "Ana",
        "Silva",
        date(1981, 2, 27),
        "female",
        addresses=[_home("Rua Augusta 45", "Lisbon", "1100-048", "PT")],
    ),
)


async def seed_sample_patients() -> int:
    """Add the sample patients (and their addresses) that are not there yet; return how many."""
    codes = [sample["patient_id"] for sample in SAMPLE_PATIENTS]
    service = PatientService(EventBus(ServiceRegistry()))  # no handlers: nothing to notify
    async with borrow_db_session() as session:
        present = set(
            await session.scalars(
                select(col(Patient.patient_id)).where(col(Patient.patient_id).in_(codes))
            )
        )
        added = 0
        for sample in SAMPLE_PATIENTS:
            if sample["patient_id"] not in present:
                await service.create(session=session, data=PatientCreate.model_validate(sample))
                added += 1
    return added
