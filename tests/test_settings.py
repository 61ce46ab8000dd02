from __future__ import annotations

import pytest

from api_server.profile import ALL_PROFILES, Profile
from api_server.settings import LogFormat, Settings, SettingsError, load_settings

SECRET = "hunter2-do-not-print"


def test_defaults_serve_sqlite_on_loopback() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.host, settings.port) == ("127.0.0.1", 8080)
    assert settings.is_sqlite
    assert settings.sqlite_path() is not None
    assert settings.log_format is LogFormat.AUTO
    assert settings.active_profiles == ALL_PROFILES


def test_environment_prefix_and_csv_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_SERVER_PORT", "9001")
    monkeypatch.setenv("API_SERVER_CORS_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("API_SERVER_PROFILES", "rest")
    settings = load_settings(_env_file=None)
    assert settings.port == 9001
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert settings.active_profiles == {Profile.REST}


def test_invalid_value_names_the_field_not_the_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_SERVER_PORT", "abc-port-value")
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None)
    message = str(caught.value)
    assert "port:" in message
    assert "abc-port-value" not in message


def test_database_url_is_secret_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_SERVER_DATABASE_URL", f"postgresql://app:{SECRET}@db:5432/app")
    settings = load_settings(_env_file=None)
    assert SECRET not in repr(settings)
    assert SECRET not in str(settings.model_dump())
    assert SECRET in settings.database_url.get_secret_value()


def test_invalid_database_url_error_does_not_echo_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_SERVER_DATABASE_URL", f"mysql://app:{SECRET}@db/app")
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None)
    assert "database_url" in str(caught.value)
    assert SECRET not in str(caught.value)
    assert caught.value.__cause__ is None  # the pydantic error (which holds the input) is dropped


@pytest.mark.parametrize("raw", ["soap", "rest,grpc"])
def test_unknown_profile_fails_at_start_up(raw: str) -> None:
    with pytest.raises(SettingsError, match="profiles"):
        load_settings(profiles=raw, _env_file=None)


def test_cors_wildcard_with_credentials_is_rejected() -> None:
    with pytest.raises(SettingsError, match="cors_allow_credentials"):
        load_settings(cors_origins="*", cors_allow_credentials=True, _env_file=None)


def test_dotenv_file_is_read(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / ".env").write_text("API_SERVER_PORT=7007\n")
    monkeypatch.chdir(tmp_path)
    assert Settings().port == 7007


def test_drain_delay_must_fit_in_the_drain_timeout() -> None:
    with pytest.raises(SettingsError, match="drain_delay must be shorter than drain_timeout"):
        load_settings(drain_delay=10, drain_timeout=10, _env_file=None)
