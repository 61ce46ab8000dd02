from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pydantic
import pytest

from tests.event_bus.conftest import OrderCreated


def test_events_are_immutable() -> None:
    event = OrderCreated(order_id="1")
    with pytest.raises(pydantic.ValidationError):
        event.order_id = "2"  # type: ignore[misc]


def test_event_id_is_a_uuid7_and_unique() -> None:
    first, second = OrderCreated(order_id="1"), OrderCreated(order_id="1")
    assert first.event_id.version == 7
    assert first.event_id != second.event_id
    assert first.event_id < second.event_id


def test_occurred_at_is_now_in_utc() -> None:
    before = datetime.now(UTC)
    event = OrderCreated(order_id="1")
    assert event.occurred_at.utcoffset() == timedelta(0)
    assert before <= event.occurred_at <= datetime.now(UTC)


def test_occurred_at_is_normalised_to_utc_and_must_be_aware() -> None:
    paris = datetime(2025, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=1)))
    assert OrderCreated(order_id="1", occurred_at=paris).occurred_at.hour == 11
    with pytest.raises(pydantic.ValidationError, match="time zone"):
        OrderCreated(order_id="1", occurred_at=datetime(2025, 1, 1))  # noqa: DTZ001


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(pydantic.ValidationError):
        OrderCreated(order_id="1", orderid="typo")  # type: ignore[call-arg]
