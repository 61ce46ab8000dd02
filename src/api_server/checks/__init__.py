"""Concrete readiness checks and the server's pipeline builder."""

from api_server.checks.pipeline_builders import build_server_pipeline
from api_server.checks.profiles import ProfilesCheck

__all__ = ["ProfilesCheck", "build_server_pipeline"]
