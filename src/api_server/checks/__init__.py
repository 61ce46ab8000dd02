"""Concrete readiness checks and the server's pipeline builder."""

from api_server.checks.jwks import JwksCheck
from api_server.checks.pipeline_builders import build_server_pipeline
from api_server.checks.profiles import ProfilesCheck

__all__ = ["JwksCheck", "ProfilesCheck", "build_server_pipeline"]
