from __future__ import annotations

import pytest

from api_server.profile import ALL_PROFILES, Profile, parse_profiles
from api_server.settings import get_active_profiles, get_settings


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", ALL_PROFILES),
        ("both", ALL_PROFILES),
        ("rest", {Profile.REST}),
        (" GraphQL ", {Profile.GRAPHQL}),
        ("rest,graphql", ALL_PROFILES),
    ],
)
def test_parse_profiles(raw: str, expected: set[Profile]) -> None:
    assert parse_profiles(raw) == expected


def test_unknown_profile_is_named() -> None:
    with pytest.raises(ValueError, match="grpc"):
        parse_profiles("rest,grpc")


def test_get_active_profiles_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_SERVER_PROFILES", "graphql")
    get_settings.cache_clear()
    try:
        assert get_active_profiles() == {Profile.GRAPHQL}
    finally:
        get_settings.cache_clear()
