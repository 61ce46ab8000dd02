"""Readiness pipelines of the administrative commands."""

from api_server.cli.checks.pipeline_builders import (
    build_post_migration_pipeline,
    build_pre_migration_pipeline,
)

__all__ = ["build_post_migration_pipeline", "build_pre_migration_pipeline"]
