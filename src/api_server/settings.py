"""Settings from the environment (`API_SERVER_*`) and `.env`, validated once at start-up."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from api_server.auth import jwt_checks
from api_server.profile import Profile, parse_profiles

ENV_PREFIX = "API_SERVER_"
DEFAULT_DATABASE_URL = "sqlite:///./var/api-server.db"


LogLevel = Literal["TRACE", "DEBUG", "INFO", "SUCCESS", "WARNING", "ERROR", "CRITICAL"]


class LogFormat(StrEnum):
    AUTO = "auto"  # text on a TTY, JSON otherwise
    TEXT = "text"
    JSON = "json"


def _split_csv(value: Any) -> Any:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


CsvList = Annotated[list[str], NoDecode]


class Settings(BaseSettings):
    """Every setting of the server. Environment variables carry the `API_SERVER_` prefix."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    # Server
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    reload: bool = False
    workers: int = Field(default=1, ge=1, le=64)
    drain_timeout: float = Field(default=10.0, gt=0, description="seconds to finish in-flight work")
    # After start-up: freeze what is alive (full collections then skip the framework's objects)
    # and collect the youngest generation less often (collector.py; docs/performance.md).
    # Tests turn it off: frozen objects are never freed.
    gc_tune: bool = True

    # Logging
    log_level: LogLevel = "INFO"
    log_format: LogFormat = LogFormat.AUTO
    sql_log: bool = False
    access_log: bool = True

    # API surface
    profiles: str = ""
    docs_enabled: bool = True
    cors_origins: CsvList = Field(default_factory=list)
    cors_allow_credentials: bool = False
    trusted_hosts: CsvList = Field(default_factory=lambda: ["*"])
    max_body_size: int = Field(default=1024 * 1024, ge=1)
    body_read_timeout: float = Field(
        default=10.0,
        gt=0,
        le=3600,
        description="seconds a request's body may take to arrive, else 408 REQUEST_TIMEOUT",
    )

    # Operations (middleware/stack.py)
    access_log_sample_rate: float = Field(
        default=1.0, ge=0, le=1, description="share of access log lines kept; 5xx always kept"
    )
    metrics_enabled: bool = True

    # Database
    database_url: SecretStr = SecretStr(DEFAULT_DATABASE_URL)
    auto_migrate: bool = True
    # None: a default per backend (database/drivers.py: pool_size()).
    db_pool_size: int | None = Field(default=None, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    db_pool_timeout: float = Field(default=5.0, gt=0)
    queue_deadline: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="seconds from a request's arrival within which it must get its database "
        "turns, else it is answered 503 OVERLOADED (keep it under the client's and the load "
        "balancer's timeouts)",
    )
    # Requests inside the app at once per process; the others wait within the queue deadline
    # (middleware/admission.py). 0: no limit.
    max_in_flight: int = Field(default=64, ge=0, le=100_000)
    db_connect_timeout: float = Field(default=3.0, gt=0)
    db_statement_timeout_ms: int = Field(default=15_000, ge=0)
    sqlite_cache_kib: int = Field(
        default=512,
        ge=64,
        le=1024 * 1024,
        description="page cache of each pooled SQLite connection, KiB (PRAGMA cache_size)",
    )
    advisory_lock_timeout: float = Field(default=60.0, gt=0)

    # Readiness
    health_cache_ttl: float = Field(default=5.0, ge=0)
    health_check_timeout: float = Field(default=3.0, gt=0)
    health_refresh_interval: float = Field(
        default=10.0, gt=0, description="seconds between background readiness runs"
    )
    drain_delay: float = Field(
        default=2.0,
        ge=0,
        description="seconds after SIGTERM during which /health-check answers 503 while the "
        "server still accepts connections, so load balancers stop routing first",
    )

    # Durable events: the transactional outbox and its relay
    outbox_enabled: bool = Field(
        default=True,
        description="keep events bound to transactions in the outbox table and relay them",
    )
    outbox_poll_interval: float = Field(default=1.0, gt=0, le=60)
    outbox_batch_size: int = Field(default=100, ge=1, le=10_000)
    outbox_lease: float = Field(
        default=30.0, gt=0, description="seconds a claimed event is left to its relay"
    )
    outbox_max_attempts: int = Field(default=10, ge=1, le=1000)
    nats_url: str | None = Field(default=None, description="NATS JetStream for the events")
    nats_stream: str = Field(default="API_SERVER_EVENTS", pattern=r"^[A-Za-z0-9_-]{1,64}$")
    nats_subject_prefix: str = Field(
        default="api_server.events", pattern=r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$"
    )

    # Authentication
    auth_cache_ttl: float = Field(
        default=5.0,
        gt=0,
        le=300,
        description="seconds a verified credential is trusted before it is checked again "
        "(a revoked key is refused on every instance within this)",
    )

    # GraphQL
    graphql_max_depth: int = Field(default=10, ge=1)
    graphql_max_aliases: int = Field(default=100, ge=1)
    graphql_max_tokens: int = Field(default=5_000, ge=1)
    graphql_max_fragments: int = Field(default=50, ge=0)
    graphql_max_fragment_spreads: int = Field(default=200, ge=0)
    graphql_max_cost: int = Field(
        default=25_000, ge=1, description="most fields an operation may resolve (its static cost)"
    )
    graphql_timeout: float = Field(
        default=10.0, gt=0, description="seconds an operation may run before it is stopped"
    )
    graphql_max_response_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    graphql_introspection: bool = True
    # Off by default: Strawberry's GraphiQL page loads its scripts from a CDN (unpkg.com).
    graphiql: bool = False

    # JWT access tokens (auth/jwt.py): off unless a JWKS URL or a PEM public key is set
    jwt_jwks_url: str | None = None
    jwt_public_key: str | None = Field(default=None, description="PEM-encoded public key")
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_algorithms: CsvList = Field(default_factory=lambda: ["RS256", "ES256"])
    jwt_leeway: float = Field(default=30.0, ge=0, le=300, description="seconds of clock skew")
    jwt_jwks_min_refetch_interval: float = Field(
        default=30.0, gt=0, description="fewest seconds between two JWKS fetches for unknown kids"
    )

    @field_validator("cors_origins", "trusted_hosts", "jwt_algorithms", mode="before")
    @classmethod
    def _csv(cls, value: Any) -> Any:
        return _split_csv(value)

    @field_validator("profiles")
    @classmethod
    def _known_profiles(cls, value: str) -> str:
        parse_profiles(value)
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: SecretStr) -> SecretStr:
        scheme = value.get_secret_value().split("://", 1)[0].split("+", 1)[0]
        if scheme not in {"sqlite", "postgresql", "postgres"}:
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return value

    @field_validator("jwt_jwks_url", "jwt_public_key", "jwt_issuer", "jwt_audience", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        # `API_SERVER_JWT_JWKS_URL=` (as compose files write it) means "not set".
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("jwt_algorithms")
    @classmethod
    def _asymmetric_algorithms(cls, value: list[str]) -> list[str]:
        return jwt_checks.asymmetric_algorithms(value)

    @field_validator("jwt_jwks_url")
    @classmethod
    def _jwks_over_https(cls, value: str | None) -> str | None:
        return jwt_checks.jwks_over_https(value)

    @field_validator("jwt_public_key")
    @classmethod
    def _pem_public_key(cls, value: str | None) -> str | None:
        return jwt_checks.pem_public_key(value)

    @model_validator(mode="after")
    def _jwt_needs_one_key_source_issuer_and_audience(self) -> Settings:
        jwt_checks.one_key_source_issuer_and_audience(
            jwks_url=self.jwt_jwks_url,
            public_key=self.jwt_public_key,
            issuer=self.jwt_issuer,
            audience=self.jwt_audience,
        )
        return self

    @model_validator(mode="after")
    def _cors_credentials_need_origins(self) -> Settings:
        if self.cors_allow_credentials and "*" in self.cors_origins:
            raise ValueError("cors_allow_credentials cannot be combined with cors_origins='*'")
        return self

    @model_validator(mode="after")
    def _drain_delay_within_drain_timeout(self) -> Settings:
        if self.drain_delay >= self.drain_timeout:
            raise ValueError("drain_delay must be shorter than drain_timeout")
        return self

    @property
    def active_profiles(self) -> frozenset[Profile]:
        return parse_profiles(self.profiles)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.get_secret_value().startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        """The database file for a file-backed SQLite URL, else None."""
        url = self.database_url.get_secret_value()
        if not url.startswith("sqlite"):
            return None
        path = url.split(":///", 1)[1] if ":///" in url else ""
        path = path.split("?", 1)[0]
        if not path or path == ":memory:":
            return None
        return Path(path)


class SettingsError(Exception):
    """Invalid settings; the message names each field and reason but never the value."""


def format_validation_error(error: ValidationError) -> str:
    lines = []
    for item in error.errors(include_input=False, include_url=False):
        field = ".".join(str(part) for part in item["loc"]) or "settings"
        lines.append(f"{field}: {item['msg']}")
    return "invalid settings: " + "; ".join(lines)


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment, raising SettingsError with a value-free message."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise SettingsError(format_validation_error(error)) from None


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; `get_settings.cache_clear()` after changing env)."""
    return load_settings()


def get_active_profiles() -> frozenset[Profile]:
    """The profiles of the current settings (`API_SERVER_PROFILES`)."""
    return get_settings().active_profiles
