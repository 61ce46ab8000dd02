"""Date and DateTime: RFC 3339 both ways, timestamps written exactly as REST writes them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import httpx
import pytest

from api_server.graphql.scalars import parse_date, parse_datetime, serialize_datetime
from tests.domains.patients import factories
from tests.domains.patients.graphql_documents import CREATE_PATIENT, patient_input
from tests.graphql.client import data, gql, only_error

READ = "query($id: ID!) { patient(id: $id) { dateOfBirth createdAt updatedAt } }"


async def test_graphql_writes_timestamps_and_dates_as_rest_does(api: httpx.AsyncClient) -> None:
    rest = await factories.create_patient(api)
    graphql = data(await gql(api, READ, {"id": rest["id"]}))["patient"]
    assert graphql == {
        "dateOfBirth": rest["date_of_birth"],
        "createdAt": rest["created_at"],
        "updatedAt": rest["updated_at"],
    }
    assert graphql["createdAt"].endswith("Z")


def test_a_datetime_is_written_in_utc_with_z() -> None:
    paris = timezone(timedelta(hours=2))
    assert serialize_datetime(datetime(2024, 5, 1, 14, 30, tzinfo=paris)) == "2024-05-01T12:30:00Z"
    moment = datetime(2024, 5, 1, 12, 30, 0, 1200, tzinfo=UTC)
    assert serialize_datetime(moment) == "2024-05-01T12:30:00.001200Z"


def test_a_naive_datetime_is_never_written() -> None:
    with pytest.raises(ValueError, match="time zone"):
        serialize_datetime(datetime(2024, 5, 1, 12, 30))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01T12:30:00Z", datetime(2024, 5, 1, 12, 30, tzinfo=UTC)),
        ("2024-05-01t12:30:00.5z", datetime(2024, 5, 1, 12, 30, 0, 500000, tzinfo=UTC)),
        ("2024-05-01T14:30:00+02:00", datetime(2024, 5, 1, 12, 30, tzinfo=UTC)),
    ],
)
def test_rfc_3339_date_times_are_read(text: str, expected: datetime) -> None:
    assert parse_datetime(text) == expected


@pytest.mark.parametrize(
    "text",
    ["2024-05-01T12:30:00", "2024-05-01", "20240501T123000Z", "2024-05-01T12:30Z", 1714566600],
)
def test_other_date_times_are_refused(text: object) -> None:
    with pytest.raises(ValueError, match="RFC 3339"):
        parse_datetime(text)


def test_only_rfc_3339_full_dates_are_read() -> None:
    assert parse_date("2024-05-01") == date(2024, 5, 1)
    for text in ("20240501", "2024-W18-3", "2024-05-01T00:00:00Z", "2024-5-1"):
        with pytest.raises(ValueError, match="RFC 3339"):
            parse_date(text)
    with pytest.raises(ValueError):
        parse_date("2024-02-30")


async def test_a_date_that_is_not_rfc_3339_is_refused_over_http(client: httpx.AsyncClient) -> None:
    body = await gql(client, CREATE_PATIENT, {"input": patient_input(dateOfBirth="18151210")})
    error = only_error(body)
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "18151210" not in error["message"]  # the submitted value is not echoed
