"""The server's readiness pipeline (`/health-check`, `api-server check`)."""

from __future__ import annotations

from api_server.auth.jwt import JwtVerifier
from api_server.checks.database import (
    DatabaseHealthCheck,
    DatabaseInitializationCheck,
    DatabaseSchemaCheck,
)
from api_server.checks.jwks import JwksCheck
from api_server.checks.nats import NatsCheck
from api_server.checks.profiles import ProfilesCheck
from api_server.event_bus.nats import NatsPublisher
from api_server.readiness_pipeline import PipelineBuilder, ReadinessPipeline
from api_server.settings import Settings

__all__ = [
    "add_authentication_stage",
    "add_configuration_stage",
    "add_database_connectivity_stage",
    "add_database_stage",
    "add_events_stage",
    "build_server_pipeline",
]


def add_configuration_stage(builder: PipelineBuilder, settings: Settings) -> None:
    with builder.stage("configuration", is_critical=False, fail_fast=False):
        builder.add_check(ProfilesCheck(settings))


def add_database_stage(builder: PipelineBuilder, settings: Settings) -> None:
    """Critical: without its database the server cannot answer (503 from /health-check)."""
    with builder.stage("database", is_critical=True, fail_fast=True):
        builder.add_check(DatabaseInitializationCheck(settings))
        builder.add_check(DatabaseHealthCheck(settings))
        builder.add_check(DatabaseSchemaCheck(settings))


def add_database_connectivity_stage(builder: PipelineBuilder, settings: Settings) -> None:
    with builder.stage("database", is_critical=True, fail_fast=True):
        builder.add_check(DatabaseHealthCheck(settings))


def add_authentication_stage(builder: PipelineBuilder, jwt_verifier: JwtVerifier) -> None:
    """Non-critical, and only when the JWT keys come from a JWKS URL (a PEM key cannot fail)."""
    if jwt_verifier.jwks is not None:
        with builder.stage("authentication", is_critical=False, fail_fast=False):
            builder.add_check(JwksCheck(jwt_verifier.jwks))


def add_events_stage(builder: PipelineBuilder, nats: NatsPublisher) -> None:
    """Non-critical: with NATS away, events wait in the outbox."""
    with builder.stage("events", is_critical=False, fail_fast=False):
        builder.add_check(NatsCheck(nats))


def build_server_pipeline(
    settings: Settings,
    *,
    jwt_verifier: JwtVerifier | None = None,
    nats: NatsPublisher | None = None,
) -> ReadinessPipeline:
    """Stages in order: configuration; authentication when `jwt_verifier` is given (the one that
    verifies the requests' tokens), reported even when the database is down; events when
    `nats` is given; the database (initialise, connect, schema)."""
    builder = PipelineBuilder(default_timeout=settings.health_check_timeout)
    add_configuration_stage(builder, settings)
    if jwt_verifier is not None:
        add_authentication_stage(builder, jwt_verifier)
    if nats is not None:
        add_events_stage(builder, nats)
    add_database_stage(builder, settings)
    return builder.build()
