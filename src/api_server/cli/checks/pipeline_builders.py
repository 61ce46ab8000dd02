"""Readiness pipelines for administrative operations (`api-server-cli db ...`).

- `build_pre_migration_pipeline`: what must hold before migrating (configuration, the database
  reachable); the schema is expected to be behind, so no schema check.
- `build_post_migration_pipeline`: the full server pipeline, schema included.
"""

from __future__ import annotations

from api_server.checks.pipeline_builders import (
    add_configuration_stage,
    add_database_connectivity_stage,
    build_server_pipeline,
)
from api_server.readiness_pipeline import PipelineBuilder, ReadinessPipeline
from api_server.settings import Settings

__all__ = ["build_post_migration_pipeline", "build_pre_migration_pipeline"]


def build_pre_migration_pipeline(settings: Settings) -> ReadinessPipeline:
    builder = PipelineBuilder(default_timeout=settings.health_check_timeout)
    add_configuration_stage(builder, settings)
    add_database_connectivity_stage(builder, settings)
    return builder.build()


def build_post_migration_pipeline(settings: Settings) -> ReadinessPipeline:
    return build_server_pipeline(settings)
