"""The server's readiness pipeline (`/health-check`, `api-server check`)."""

from __future__ import annotations

from api_server.checks.profiles import ProfilesCheck
from api_server.readiness_pipeline import PipelineBuilder, ReadinessPipeline
from api_server.settings import Settings

__all__ = ["add_configuration_stage", "build_server_pipeline"]


def add_configuration_stage(builder: PipelineBuilder, settings: Settings) -> None:
    with builder.stage("configuration", is_critical=False, fail_fast=False):
        builder.add_check(ProfilesCheck(settings))


def build_server_pipeline(settings: Settings) -> ReadinessPipeline:
    """Stages in order: configuration, then the database.

    The database stage (initialization, connectivity, schema at head) belongs here, after
    the configuration stage, e.g.:

        with builder.stage("database", is_critical=True, fail_fast=True):
            builder.add_check(DatabaseHealthCheck())
            builder.add_check(DatabaseSchemaCheck())
    """
    builder = PipelineBuilder(default_timeout=settings.health_check_timeout)
    add_configuration_stage(builder, settings)
    # Database stage: added with the database layer (see docstring).
    return builder.build()
