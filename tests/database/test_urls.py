from __future__ import annotations

import pytest

from api_server.database.urls import to_async_url


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("postgresql://u:p@h/db", "postgresql+asyncpg"),
        ("postgres://u:p@h/db", "postgresql+asyncpg"),
        ("postgresql+psycopg://u:p@h/db", "postgresql+asyncpg"),
        ("postgresql+asyncpg://u:p@h/db", "postgresql+asyncpg"),
        ("sqlite:///./var/x.db", "sqlite+aiosqlite"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite"),
    ],
)
def test_plain_urls_map_to_async_drivers(given: str, driver: str) -> None:
    url = to_async_url(given)
    assert url.drivername == driver
    assert url.password in (None, "p")


def test_unknown_driver_is_refused() -> None:
    with pytest.raises(ValueError, match="mysql"):
        to_async_url("mysql://u@h/db")
