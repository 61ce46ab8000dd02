"""The server's readiness pipeline (`/health-check`, `api-server check`)."""

from __future__ import annotations

from api_server.checks.database import (
    DatabaseHealthCheck,
    DatabaseInitializationCheck,
    DatabaseSchemaCheck,
)
from api_server.checks.profiles import ProfilesCheck
from api_server.readiness_pipeline import PipelineBuilder, ReadinessPipeline
from api_server.settings import Settings

__all__ = [
    "add_configuration_stage",
    "add_database_connectivity_stage",
    "add_database_stage",
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


def build_server_pipeline(settings: Settings) -> ReadinessPipeline:
    """Stages in order: configuration, then the database (initialise, connect, schema)."""
    builder = PipelineBuilder(default_timeout=settings.health_check_timeout)
    add_configuration_stage(builder, settings)
    add_database_stage(builder, settings)
    return builder.build()
